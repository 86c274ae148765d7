//! A customer edited 10,000 times stays small on the device and, once the retention window
//! has passed, on a relay (DESIGN.md section 5; issue 5). The scenario is the
//! `compaction_bytes` example's, so the bench prints what this test bounds.

#[path = "../examples/compaction_bytes.rs"]
mod scenario;

use crm_core::compaction::Policy;

#[test]
fn a_customer_edited_ten_thousand_times_stays_small() {
    let (b, all) = scenario::measure(10_000, &Policy::default());
    println!("{b:#?}");
    println!(
        "bytes per customer: {} uncompacted, {} on the device, {} at the relay after its window ({} within it); save {}",
        b.uncompacted, b.device, b.relay_after_window, b.relay_in_window, b.save
    );
    assert_eq!(all.iter().filter(|c| !c.is_snapshot()).count(), 10_001);
    // without compaction every edit costs its own chunk: about 100 bytes each
    assert!(b.uncompacted > 500_000, "{}", b.uncompacted);
    // with it, a device keeps the newest snapshot plus fewer than a policy's worth of edits:
    // at most about twice the save plus the policy's byte threshold
    let bound = 2 * b.save + 2 * Policy::default().min_bytes + 16 * 1024;
    assert!(b.device <= bound, "device holds {} bytes, bound {bound}", b.device);
    assert!(b.device * 20 < b.uncompacted, "at least 20 times smaller: {} vs {}", b.device, b.uncompacted);
    assert!(b.relay_after_window <= bound, "relay holds {} bytes after its window, bound {bound}", b.relay_after_window);
    // within the window the relay still has everything it may drop later
    assert!(b.relay_in_window >= b.uncompacted);
}
