//! Parses the pattern syntax of FORMAT.md into a small tree:
//! words, `word*`, `(a|b)`, `[a|b]`, `{list}`, `...` and `...N`.

use crate::problem::{PackProblem, PatternProblem};
use crate::tokens::pattern_words;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// One folded word; `prefix` for `word*`.
    Word {
        text: String,
        prefix: bool,
    },
    Group {
        alternatives: Vec<Vec<Item>>,
        optional: bool,
    },
    List(String),
    /// Up to this many words of anything in the same sentence.
    Gap(usize),
}

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    default_gap: usize,
    source: &'a str,
}

/// Parses one pattern. Errors are sentences meant for the pack author.
pub(crate) fn parse(source: &str, default_gap: usize) -> Result<Vec<Item>, PackProblem> {
    let mut parser = Parser {
        chars: source.chars().collect(),
        at: 0,
        default_gap,
        source,
    };
    let items = parser.sequence()?;
    match parser.peek() {
        None => Ok(items),
        Some(c) => Err(parser.error(PatternProblem::Unexpected(c))),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error(&self, problem: PatternProblem) -> PackProblem {
        PackProblem::Pattern {
            pattern: self.source.to_owned(),
            problem,
        }
    }

    /// Items up to `|`, `)`, `]` or the end.
    fn sequence(&mut self) -> Result<Vec<Item>, PackProblem> {
        let mut items = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                '|' | ')' | ']' => break,
                '(' | '[' => {
                    self.flush_text(&mut text, false, &mut items)?;
                    self.at += 1;
                    let close = if c == '(' { ')' } else { ']' };
                    let alternatives = self.alternatives(close)?;
                    items.push(Item::Group {
                        alternatives,
                        optional: c == '[',
                    });
                }
                '{' => {
                    self.flush_text(&mut text, false, &mut items)?;
                    let rest: String = self.chars[self.at + 1..].iter().collect();
                    let Some(close) = rest.find('}') else {
                        return Err(self.error(PatternProblem::UnclosedListName));
                    };
                    let name = rest[..close].trim().to_owned();
                    if name.is_empty() {
                        return Err(self.error(PatternProblem::EmptyListName));
                    }
                    self.at += 1 + rest[..close].chars().count() + 1;
                    items.push(Item::List(name));
                }
                '*' => {
                    if text.is_empty() || text.ends_with(char::is_whitespace) {
                        return Err(self.error(PatternProblem::StarWithoutWord));
                    }
                    self.at += 1;
                    self.flush_text(&mut text, true, &mut items)?;
                }
                '.' if self.chars[self.at..].starts_with(&['.', '.', '.']) => {
                    self.flush_text(&mut text, false, &mut items)?;
                    self.at += 3;
                    let mut digits = String::new();
                    while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                        digits.push(d);
                        self.at += 1;
                    }
                    let gap = if digits.is_empty() {
                        self.default_gap
                    } else {
                        digits
                            .parse()
                            .map_err(|_| self.error(PatternProblem::GapTooLarge))?
                    };
                    items.push(Item::Gap(gap));
                }
                '…' => {
                    self.flush_text(&mut text, false, &mut items)?;
                    self.at += 1;
                    items.push(Item::Gap(self.default_gap));
                }
                '}' => return Err(self.error(PatternProblem::CloseWithoutOpen)),
                _ => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        self.flush_text(&mut text, false, &mut items)?;
        Ok(items)
    }

    fn alternatives(&mut self, close: char) -> Result<Vec<Vec<Item>>, PackProblem> {
        let mut alternatives = Vec::new();
        loop {
            let alternative = self.sequence()?;
            match self.peek() {
                Some('|') => {
                    self.at += 1;
                    alternatives.push(alternative);
                }
                Some(c) if c == close => {
                    self.at += 1;
                    alternatives.push(alternative);
                    break;
                }
                Some(found) => return Err(self.error(PatternProblem::Expected { found, close })),
                None => {
                    let open = if close == ')' { '(' } else { '[' };
                    return Err(self.error(PatternProblem::Unclosed { open }));
                }
            }
        }
        if alternatives.iter().any(Vec::is_empty) {
            return Err(self.error(PatternProblem::EmptyChoice));
        }
        Ok(alternatives)
    }

    /// Turns accumulated plain text into folded words; `prefix` marks the last one as `word*`.
    fn flush_text(
        &self,
        text: &mut String,
        prefix: bool,
        items: &mut Vec<Item>,
    ) -> Result<(), PackProblem> {
        if text.trim().is_empty() {
            text.clear();
            return Ok(());
        }
        let words = pattern_words(text);
        if words.is_empty() && text.trim().chars().all(|c| matches!(c, '?' | '+')) {
            return Err(self.error(PatternProblem::NotSyntax(text.trim().to_owned())));
        }
        if words.is_empty() {
            return Err(self.error(PatternProblem::NoLetters(text.trim().to_owned())));
        }
        let last = words.len() - 1;
        for (i, word) in words.into_iter().enumerate() {
            items.push(Item::Word {
                text: word,
                prefix: prefix && i == last,
            });
        }
        text.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Item {
        Item::Word {
            text: text.into(),
            prefix: false,
        }
    }

    #[test]
    fn parses_every_construct() {
        let items = parse("{apology} ...3 (but|however) [really] apologi* ...", 6).unwrap();
        assert_eq!(
            items,
            vec![
                Item::List("apology".into()),
                Item::Gap(3),
                Item::Group {
                    alternatives: vec![vec![word("but")], vec![word("however")]],
                    optional: false
                },
                Item::Group {
                    alternatives: vec![vec![word("really")]],
                    optional: true
                },
                Item::Word {
                    text: "apologi".into(),
                    prefix: true
                },
                Item::Gap(6),
            ]
        );
    }

    #[test]
    fn folds_words_like_the_text() {
        assert_eq!(
            parse("Înțeleg I'm", 6).unwrap(),
            vec![word("inteleg"), word("im")]
        );
        assert_eq!(
            parse("对不起", 6).unwrap(),
            vec![word("对"), word("不"), word("起")]
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            parse("sorry ... (but", 6)
                .unwrap_err()
                .to_string()
                .contains("unclosed \"(\"")
        );
        assert!(
            parse("sorry *", 6)
                .unwrap_err()
                .to_string()
                .contains("must follow a word")
        );
        assert!(
            parse("(a|)", 6)
                .unwrap_err()
                .to_string()
                .contains("empty choice")
        );
        assert!(parse("{x", 6).unwrap_err().to_string().contains("unclosed"));
    }
}
