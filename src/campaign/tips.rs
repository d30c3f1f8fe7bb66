//! Which tip a chat gets next: tips go in content order, starting for a new subscriber at the
//! current week's tip, and none repeats until the chat has had them all (then a new cycle).

use crate::store::TipState;

/// The chat's next tip and the cycle it belongs to. `week_index` is the position of the
/// current week's tip, used when the chat has had no tip yet.
#[must_use]
pub fn next_tip(tips: &[String], state: &TipState, week_index: usize) -> Option<(String, i64)> {
    let n = tips.len();
    if n == 0 {
        return None;
    }
    let start = match &state.last_tip {
        Some(last) => tips.iter().position(|t| t == last).map_or(week_index % n, |i| (i + 1) % n),
        None => week_index % n,
    };
    let unseen = (0..n).map(|k| &tips[(start + k) % n]).find(|t| !state.seen.contains(*t));
    Some(match unseen {
        Some(t) => (t.clone(), state.cycle),
        None => (tips[start].clone(), state.cycle + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    #[test]
    fn in_order_from_the_current_week_without_repeats_until_exhausted() {
        let tips = ids(4);
        let mut state = TipState::default();
        let mut got = Vec::new();
        for _ in 0..6 {
            let (t, cycle) = next_tip(&tips, &state, 2).expect("tip");
            if cycle != state.cycle {
                state.seen.clear();
                state.cycle = cycle;
            }
            state.seen.insert(t.clone());
            state.last_tip = Some(t.clone());
            got.push(t);
        }
        assert_eq!(got, ["t2", "t3", "t0", "t1", "t2", "t3"]);
        assert_eq!(state.cycle, 1);
    }

    #[test]
    fn a_removed_last_tip_or_a_new_tip_still_works() {
        let tips = ids(3);
        let state = TipState {
            last_tip: Some("gone".into()),
            cycle: 0,
            seen: ["t0".to_owned(), "gone".to_owned()].into(),
        };
        assert_eq!(next_tip(&tips, &state, 0), Some(("t1".into(), 0)));
        assert_eq!(next_tip(&[], &state, 0), None);
    }
}
