//! Turning what a person typed into splices on collaborative text that may have changed under
//! them.
//!
//! A note editor knows the text it started from (`base`) and what is in the box now
//! (`local`). Meanwhile other devices' typing may have been merged into the document, whose
//! text is now `current`. Writing `local` over `current` would delete their characters, so we
//! rebase: diff base->local and base->current, transform the local operations past the remote
//! ones (the classic text OT transform), and splice the result into the document. Automerge
//! then merges those splices with everyone else's, character by character.
//!
//! Positions are in Unicode code points, the unit Automerge's text uses natively.

use similar::{ChangeTag, TextDiff};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Retain(usize),
    Insert(String),
    Delete(usize),
}

/// One edit of a text: at `pos` (code points), remove `delete` code points, then insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

fn push(ops: &mut Vec<Op>, op: Op) {
    match (ops.last_mut(), op) {
        (Some(Op::Retain(a)), Op::Retain(b)) => *a += b,
        (Some(Op::Delete(a)), Op::Delete(b)) => *a += b,
        (Some(Op::Insert(a)), Op::Insert(b)) => a.push_str(&b),
        (_, Op::Retain(0)) | (_, Op::Delete(0)) => {}
        (_, op) => ops.push(op),
    }
}

fn diff(from: &str, to: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    for c in TextDiff::from_chars(from, to).iter_all_changes() {
        let n = c.value().chars().count();
        match c.tag() {
            ChangeTag::Equal => push(&mut ops, Op::Retain(n)),
            ChangeTag::Delete => push(&mut ops, Op::Delete(n)),
            ChangeTag::Insert => push(&mut ops, Op::Insert(c.value().to_string())),
        }
    }
    ops
}

/// `a` and `b` both apply to the same text; returns `a` rewritten to apply after `b`.
fn transform(a: &[Op], b: &[Op]) -> Vec<Op> {
    let mut out = Vec::new();
    let (mut ia, mut ib) = (a.iter().cloned(), b.iter().cloned());
    let (mut x, mut y) = (ia.next(), ib.next());
    loop {
        match (x.take(), y.take()) {
            (None, None) => break,
            (Some(Op::Insert(s)), other) => {
                push(&mut out, Op::Insert(s));
                x = ia.next();
                y = other;
            }
            (other, Some(Op::Insert(s))) => {
                push(&mut out, Op::Retain(s.chars().count()));
                x = other;
                y = ib.next();
            }
            // both cover the same base text; a shorter side just ends (cannot happen for
            // diffs of one base, but never loop or panic on it)
            (None, Some(_)) | (Some(_), None) => break,
            (Some(p), Some(q)) => {
                let (lp, lq) = (op_len(&p), op_len(&q));
                let m = lp.min(lq);
                match (&p, &q) {
                    (Op::Retain(_), Op::Retain(_)) => push(&mut out, Op::Retain(m)),
                    (Op::Delete(_), Op::Retain(_)) => push(&mut out, Op::Delete(m)),
                    // deleted by the other side already: nothing left to do
                    (Op::Retain(_), Op::Delete(_)) | (Op::Delete(_), Op::Delete(_)) => {}
                    _ => unreachable!("inserts are handled above"),
                }
                x = if lp > m { Some(shrink(p, m)) } else { ia.next() };
                y = if lq > m { Some(shrink(q, m)) } else { ib.next() };
            }
        }
    }
    out
}

fn op_len(op: &Op) -> usize {
    match op {
        Op::Retain(n) | Op::Delete(n) => *n,
        Op::Insert(s) => s.chars().count(),
    }
}

fn shrink(op: Op, by: usize) -> Op {
    match op {
        Op::Retain(n) => Op::Retain(n - by),
        Op::Delete(n) => Op::Delete(n - by),
        Op::Insert(s) => Op::Insert(s),
    }
}

/// The splices that bring `current` the changes from `base` to `local`, keeping every change
/// already in `current`. Apply them in order.
pub fn rebase(base: &str, local: &str, current: &str) -> Vec<Splice> {
    let ops = if base == current { diff(base, local) } else { transform(&diff(base, local), &diff(base, current)) };
    let mut out = Vec::new();
    let mut pos = 0;
    for op in ops {
        match op {
            Op::Retain(n) => pos += n,
            Op::Insert(s) => {
                let n = s.chars().count();
                out.push(Splice { pos, delete: 0, insert: s });
                pos += n;
            }
            Op::Delete(n) => out.push(Splice { pos, delete: n, insert: String::new() }),
        }
    }
    out
}

/// Applies splices to a plain string (what Automerge does to its text).
pub fn apply(text: &str, splices: &[Splice]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for s in splices {
        let pos = s.pos.min(chars.len());
        let end = (pos + s.delete).min(chars.len());
        chars.splice(pos..end, s.insert.chars());
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn with_nothing_merged_meanwhile_the_local_text_is_written() {
        let s = rebase("hello", "hello world", "hello");
        assert_eq!(apply("hello", &s), "hello world");
    }

    #[test]
    fn typing_rebased_past_remote_typing_keeps_both() {
        // we appended, they prepended
        let s = rebase("hello", "hello world", "Say: hello");
        assert_eq!(apply("Say: hello", &s), "Say: hello world");
        // we deleted a word they edited around
        let s = rebase("拜访张三 明天", "拜访张三", "今天拜访张三 明天下午");
        assert_eq!(apply("今天拜访张三 明天下午", &s), "今天拜访张三下午");
    }

    proptest! {
        #[test]
        fn a_rebase_keeps_every_remote_insert_and_every_local_insert(
            base in "[a-c张]{0,12}", l in "[x-z三]{0,5}", r in "[0-2]{0,5}", lp in 0usize..13, rp in 0usize..13,
        ) {
            let n = base.chars().count();
            let ins = |at: usize, s: &str| { let mut c: Vec<char> = base.chars().collect(); let at = at.min(n); c.splice(at..at, s.chars()); c.into_iter().collect::<String>() };
            let local = ins(lp, &l);
            let current = ins(rp, &r);
            let merged = apply(&current, &rebase(&base, &local, &current));
            // both inserted runs are present and the base characters kept their order
            prop_assert!(merged.contains(&l) || l.is_empty());
            prop_assert!(merged.contains(&r) || r.is_empty());
            prop_assert_eq!(merged.chars().count(), n + l.chars().count() + r.chars().count());
        }
    }
}
