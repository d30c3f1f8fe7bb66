//! The `canhgiac` binary: a thin command line (`cli`) over the library.

mod cli;

/// jemalloc instead of glibc's allocator: under load glibc keeps an arena per busy thread and
/// returns little of it, which held `serve`'s memory well above what it uses. Its options are
/// set at build time in `.cargo/config.toml` (two arenas, freed pages returned within 5 ms
/// by a background thread); `_RJEM_MALLOC_CONF` overrides them at run time.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
