//! The `canhgiac` binary: everything happens in the library's `cli` module.

fn main() -> std::process::ExitCode {
    canhgiac::cli::main()
}
