//! Words of the trash screen.

crate::messages! {
    TrashMsg {
        title: "Trash", "回收站";
        intro: "Deleted customers stay here, with everything they held, until someone restores them. Nothing is erased for good.",
               "已删除的客户及其全部资料会保留在这里，直到有人恢复。不会被永久清除。";
        list: "Deleted customers", "已删除的客户";
        deleted_on: "Deleted {}", "删除于 {}";
        merged_into: "Merged into {}", "已合并到 {}";
        restore_named: "Restore {}", "恢复 {}";
        restored: "Restored {}.", "已恢复 {}。";
        empty: "The trash is empty.", "回收站是空的。";
        count: "{} deleted customers", "{} 个已删除的客户";
    }
}
