use std::process::ExitCode;

fn main() -> ExitCode {
    calmdesk::main()
}
