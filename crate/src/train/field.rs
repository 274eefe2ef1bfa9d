//! The kinds of training setting (a whole number, a number, an on/off flag, a choice, an
//! optional limit), each with its default and limits, how a value is checked against them and
//! how a form's text is parsed. The settings themselves are declared in `settings`.

use serde::Serialize;

/// A setting's value that cannot work, named by the setting's key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid training setting {field} = {value}: {problem}")]
pub struct FieldError {
    /// The setting's key (`epochs`, `learning_rate`, …).
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    pub problem: Problem,
}

/// What is wrong with a setting's value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("a value is needed")]
    Missing,
    #[error("must be a whole number")]
    NotWhole,
    #[error("must be a number")]
    NotNumber,
    #[error("must be true or false")]
    NotFlag,
    #[error("must be from {min} to {max}")]
    OutOfRange { min: f64, max: f64 },
    #[error("must be more than {min} and at most {max}")]
    OutOfOpenRange { min: f64, max: f64 },
    #[error("must be one of {0}")]
    NotAChoice(String),
    /// A constraint between parts of one setting (Adam's constants).
    #[error("{0}")]
    Inconsistent(&'static str),
}

impl FieldError {
    pub fn new(field: &'static str, value: impl ToString, problem: Problem) -> Self {
        Self {
            field,
            value: value.to_string(),
            problem,
        }
    }
}

/// A whole number from `min` to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Int {
    pub key: &'static str,
    pub default: u64,
    pub min: u64,
    pub max: u64,
}

impl Int {
    pub fn check(&self, value: u64) -> Result<u64, FieldError> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(self.out_of_range(value))
        }
    }

    /// The default as a count (every declared default is far below `usize::MAX` on wasm32).
    pub fn default_usize(&self) -> usize {
        self.default as usize
    }

    /// Digits only: "1.5" or "1e3" is refused, not rounded.
    pub fn parse(&self, text: &str) -> Result<u64, FieldError> {
        let text = text.trim();
        match text.parse::<i128>() {
            _ if text.is_empty() => Err(FieldError::new(self.key, text, Problem::Missing)),
            Ok(value) => u64::try_from(value)
                .map_err(|_| self.out_of_range(text))
                .and_then(|v| self.check(v)),
            Err(_) => Err(FieldError::new(self.key, text, Problem::NotWhole)),
        }
    }

    fn out_of_range(&self, value: impl ToString) -> FieldError {
        let (min, max) = (self.min as f64, self.max as f64);
        FieldError::new(self.key, value, Problem::OutOfRange { min, max })
    }
}

/// A whole number from `min` to `max`, or none at all (empty in a form): all the images.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub key: &'static str,
    pub min: u64,
    pub max: u64,
}

impl Limit {
    fn as_int(&self) -> Int {
        Int {
            key: self.key,
            default: self.min,
            min: self.min,
            max: self.max,
        }
    }

    pub fn check(&self, value: Option<usize>) -> Result<Option<usize>, FieldError> {
        match value {
            Some(v) => self.as_int().check(v as u64).map(|_| Some(v)),
            None => Ok(None),
        }
    }

    pub fn parse(&self, text: &str) -> Result<Option<usize>, FieldError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let value = self.as_int().parse(text)?;
        usize::try_from(value)
            .map(Some)
            .map_err(|_| self.as_int().out_of_range(value))
    }
}

/// A finite number from `min` (excluded when `min_exclusive`) to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Float {
    pub key: &'static str,
    pub default: f64,
    pub min: f64,
    pub min_exclusive: bool,
    pub max: f64,
}

impl Float {
    pub fn check(&self, value: f64) -> Result<f64, FieldError> {
        let above_min = value > self.min || (!self.min_exclusive && value == self.min);
        if !value.is_finite() {
            Err(FieldError::new(self.key, value, Problem::NotNumber))
        } else if above_min && value <= self.max {
            Ok(value)
        } else if self.min_exclusive {
            let (min, max) = (self.min, self.max);
            let problem = Problem::OutOfOpenRange { min, max };
            Err(FieldError::new(self.key, value, problem))
        } else {
            let (min, max) = (self.min, self.max);
            Err(FieldError::new(
                self.key,
                value,
                Problem::OutOfRange { min, max },
            ))
        }
    }

    pub fn parse(&self, text: &str) -> Result<f64, FieldError> {
        let text = text.trim();
        match text.parse::<f64>() {
            _ if text.is_empty() => Err(FieldError::new(self.key, text, Problem::Missing)),
            Ok(value) if value.is_finite() => self.check(value),
            _ => Err(FieldError::new(self.key, text, Problem::NotNumber)),
        }
    }
}

/// On or off: `true` or `false` in a form.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    pub key: &'static str,
    pub default: bool,
}

impl Flag {
    pub fn parse(&self, text: &str) -> Result<bool, FieldError> {
        match text.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(FieldError::new(self.key, other, Problem::NotFlag)),
        }
    }
}

/// One of a list of names.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub key: &'static str,
    pub default: &'static str,
    pub choices: fn() -> Vec<&'static str>,
}

impl Choice {
    /// The choice `text` names, exactly.
    pub fn parse(&self, text: &str) -> Result<&'static str, FieldError> {
        let choices = (self.choices)();
        let text = text.trim();
        choices
            .iter()
            .find(|c| **c == text)
            .copied()
            .ok_or_else(|| FieldError::new(self.key, text, Problem::NotAChoice(choices.join(", "))))
    }

    pub fn check(&self, value: &str) -> Result<(), FieldError> {
        self.parse(value).map(|_| ())
    }
}

/// Any setting, for listing them all.
#[derive(Debug, Clone, Copy)]
pub enum Setting {
    Int(Int),
    Limit(Limit),
    Float(Float),
    Flag(Flag),
    Choice(Choice),
}

/// A setting as the page reads it: `{key, kind, default, min, max, min_exclusive, choices}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct Description {
    pub key: &'static str,
    /// `int`, `float`, `bool` or `choice`.
    #[cfg_attr(test, ts(type = r#""int" | "float" | "bool" | "choice""#))]
    pub kind: &'static str,
    /// `null` for a limit (empty: all).
    #[cfg_attr(test, ts(type = "number | boolean | string | null"))]
    pub default: Value,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The value must be above `min`, not equal to it.
    pub min_exclusive: bool,
    pub choices: Option<Vec<&'static str>>,
}

/// A default value, as JSON writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Int(u64),
    Float(f64),
    Bool(bool),
    Text(&'static str),
    None,
}

impl Setting {
    pub fn key(&self) -> &'static str {
        self.describe().key
    }

    pub fn describe(&self) -> Description {
        let base = |key, kind, default| Description {
            key,
            kind,
            default,
            min: None,
            max: None,
            min_exclusive: false,
            choices: None,
        };
        match *self {
            Setting::Int(s) => Description {
                min: Some(s.min as f64),
                max: Some(s.max as f64),
                ..base(s.key, "int", Value::Int(s.default))
            },
            Setting::Limit(s) => Description {
                min: Some(s.min as f64),
                max: Some(s.max as f64),
                ..base(s.key, "int", Value::None)
            },
            Setting::Float(s) => Description {
                min: Some(s.min),
                max: Some(s.max),
                min_exclusive: s.min_exclusive,
                ..base(s.key, "float", Value::Float(s.default))
            },
            Setting::Flag(s) => base(s.key, "bool", Value::Bool(s.default)),
            Setting::Choice(s) => Description {
                choices: Some((s.choices)()),
                ..base(s.key, "choice", Value::Text(s.default))
            },
        }
    }
}
