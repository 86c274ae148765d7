//! From a customer's orders to what the purchase models see: transactions as of a date
//! (orders after it ignored; several orders on one day are one transaction, as in the
//! literature) and the (x, t_x, T) history in weeks with the average repeat spend.

use super::bgnbd::History;
use super::gamma_gamma::Spend;

pub const DAYS_PER_WEEK: f64 = 7.0;

/// The customer's transactions up to and including `as_of`: (day, amount in minor units),
/// one per purchase day, by day. `orders` need not be sorted.
pub fn transactions(orders: &[(i32, i64)], as_of: i32) -> Vec<(i32, i64)> {
    let mut v: Vec<(i32, i64)> = orders.iter().copied().filter(|(d, _)| *d <= as_of).collect();
    v.sort_unstable_by_key(|(d, _)| *d);
    let mut out: Vec<(i32, i64)> = Vec::with_capacity(v.len());
    for (d, a) in v {
        match out.last_mut() {
            Some((ld, la)) if *ld == d => *la += a,
            _ => out.push((d, a)),
        }
    }
    out
}

/// The model history of a customer with at least one transaction, and the average value of
/// their repeat transactions (major units; `minor` = minor units per major, 100 for most
/// currencies). None without a transaction.
pub fn history(tx: &[(i32, i64)], as_of: i32, minor: f64) -> Option<(History, Spend)> {
    let (first, _) = *tx.first()?;
    let (last, _) = *tx.last()?;
    let x = (tx.len() - 1) as u32;
    let h = History { x, tx: (last - first) as f64 / DAYS_PER_WEEK, t: (as_of - first) as f64 / DAYS_PER_WEEK };
    let m = if x == 0 { 0.0 } else { tx[1..].iter().map(|(_, a)| *a as f64).sum::<f64>() / x as f64 / minor };
    Some((h, Spend { x, m }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_orders_are_one_transaction_and_later_orders_are_ignored() {
        let orders = [(10, 500), (3, 100), (10, 250), (40, 900), (17, 300)];
        assert_eq!(transactions(&orders, 20), vec![(3, 100), (10, 750), (17, 300)]);
        let (h, s) = history(&transactions(&orders, 20), 24, 100.0).unwrap();
        assert_eq!(h, History { x: 2, tx: 2.0, t: 3.0 });
        // the first purchase is not a repeat: (7.50 + 3.00) / 2
        assert_eq!(s, Spend { x: 2, m: 5.25 });
        assert!(history(&transactions(&orders, 2), 2, 100.0).is_none());
    }
}
