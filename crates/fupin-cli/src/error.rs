//! The one error type of the `fupin` command and the exit status of each kind, mapped in one place
//! ([`CliError::exit_code`]). Every command returns `Result<(), CliError>`; `main` prints the
//! message (when there is one) to standard error and exits with the status.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | the database failed or refused the write (e.g. a conflict); a whole-registry run failed |
//! | 2 | unreadable input, a bad policy file, a bad database URL or bad usage |
//! | 3 | the input was read but some records are invalid (reported; nothing imported unless `--partial`), or what was asked for does not exist |

use fupin_store::StoreError;
use std::fmt;

#[derive(Debug)]
pub enum CliError {
    /// Exit status 2: unreadable input, a bad policy file, a bad database URL or bad usage.
    Usage(String),
    /// Exit status 1: the database failed or refused, or the run could not finish.
    Failed(String),
    /// Exit status 3: the input was read but some records are invalid, or the record asked for
    /// does not exist. The records were reported already; the message may be empty.
    Rejected(String),
}

pub type Result<T = ()> = std::result::Result<T, CliError>;

impl CliError {
    /// The process exit status of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Rejected(_) => 3,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CliError::Usage(m) | CliError::Failed(m) | CliError::Rejected(m) => m,
        }
    }

    /// A store error of the registry commands: a bad URL, an unreadable or malformed file → 2;
    /// anything the database did or refused → 1.
    pub fn store(e: StoreError) -> CliError {
        let message = format!("错误 / error: {e}");
        match e {
            StoreError::Url(_) | StoreError::File(_) | StoreError::Io(_) => {
                CliError::Usage(message)
            }
            _ => CliError::Failed(message),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        CliError::store(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CliError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_documented_status() {
        assert_eq!(CliError::Failed("x".into()).exit_code(), 1);
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        assert_eq!(CliError::Rejected(String::new()).exit_code(), 3);
        let url = CliError::from(StoreError::Url("mysql://x".into()));
        assert_eq!(url.exit_code(), 2);
        assert!(url.message().starts_with("错误 / error: "), "{url}");
        assert_eq!(
            CliError::from(StoreError::NotFound("H1".into())).exit_code(),
            1
        );
    }
}
