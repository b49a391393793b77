/// Declares a closed set of values stored and sent as snake_case text: the enum with serde,
/// `ALL`, `as_str`, `Display`, and a `FromStr` whose error names `$field` and the accepted values.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, field = $field:literal, { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::error::DomainError::invalid(
                        $field,
                        format!("`{s}` is not one of {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }
    };
}

pub(crate) use text_enum;
