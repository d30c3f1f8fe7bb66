//! The `canhgiac` binary: a thin command line (`cli`) over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
