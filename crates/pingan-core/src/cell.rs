//! CSV cells that a spreadsheet cannot run (CSV injection, OWASP): a text cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading `'`, which
//! spreadsheets show as text, and a cell already starting with `'` gets one more so that the
//! import can undo exactly what the export did ([`restore`]). Numbers (`-5.3`, `+86`) are left
//! as they are: a spreadsheet reads them as numbers, never as formulas.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn is_number(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The cell as an export writes it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(TRIGGERS) && !is_number(cell);
    if risky || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralise`], as an import reads it back.
pub fn restore(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) || rest.starts_with('\'') => Cow::Borrowed(rest),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_written_as_text_and_numbers_as_numbers() {
        for (raw, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+86 138", "'+86 138"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-x", "'-x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("-5.3", "-5.3"),
            ("+86", "+86"),
            ("东门卡口", "东门卡口"),
            ("", ""),
        ] {
            assert_eq!(neutralise(raw), out, "{raw:?}");
            assert_eq!(restore(&neutralise(raw)), raw, "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn an_export_imports_back_unchanged(s in any::<String>()) {
            let written = neutralise(&s);
            prop_assert_eq!(restore(&written), s.as_str());
            prop_assert!(!written.starts_with(TRIGGERS) || is_number(&written));
        }
    }
}
