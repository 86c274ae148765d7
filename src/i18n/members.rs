//! Words of team membership: invites that expire and can be revoked, removing a member
//! (Settings → Team), and what a removed device is told.

crate::messages! {
    MembersMsg {
        invites: "Invites", "邀请";
        invites_intro: "An invite link lets one more browser join this workspace until it expires or you revoke it. It carries a key the relay never sees: share it only with your team.",
                       "邀请链接可让另一个浏览器加入此工作区，直到链接过期或被撤销。链接中含有中继服务器永远看不到的密钥：只与团队成员分享。";
        expires_in: "Invite expires in", "邀请有效期";
        one_day: "1 day", "1 天";
        seven_days: "7 days", "7 天";
        thirty_days: "30 days", "30 天";
        create_invite: "Create invite link", "创建邀请链接";
        creating: "Creating…", "正在创建…";
        outstanding: "Outstanding invites", "未使用完的邀请";
        no_invites: "No outstanding invites.", "没有未过期的邀请。";
        invite_line: "Created {} · expires {}", "创建于 {} · {} 过期";
        revoke: "Revoke", "撤销";
        revoke_named: "Revoke the invite created {}", "撤销创建于 {} 的邀请";
        revoked: "Invite revoked: its link no longer works.", "邀请已撤销：链接已失效。";
        invites_offline: "Invites are kept by the relay: connect to make or list them.", "邀请由中继服务器保管：联网后才能创建或查看。";
        remove: "Remove", "移除";
        remove_named: "Remove {}", "移除 {}";
        remove_title: "Remove {}?", "移除 {}？";
        remove_explain: "Their devices stop syncing at once and cannot read anything written from now on. The workspace key is replaced, and every outstanding invite is revoked.",
                        "其设备将立即停止同步，也无法读取此后写入的任何内容。工作区密钥将被更换，所有未使用的邀请都会被撤销。";
        remove_confirm: "Yes, remove", "确认移除";
        cancel: "Cancel", "取消";
        removing: "Removing…", "正在移除…";
        removed_badge: "removed", "已移除";
        remove_failed: "{} was not removed: {}", "未能移除 {}：{}";
        unnamed: "device {}", "设备 {}";
        device_removed: "This device was removed from the workspace. It no longer syncs, and changes made here are not shared.",
                        "此设备已被移出工作区。它不再同步，在此做的修改不会共享给团队。";
        invite_expired: "This invite has expired: ask your team for a new link.", "此邀请已过期：请向团队索取新的链接。";
        invite_revoked: "This invite was revoked: ask your team for a new link.", "此邀请已被撤销：请向团队索取新的链接。";
        invite_unknown: "This invite is unknown to the relay: check the link, or ask your team for a new one.",
                        "中继服务器不认识此邀请：请检查链接，或向团队索取新的链接。";
        invite_damaged: "This invite link is damaged: expected 64 hex digits after #invite=.", "此邀请链接已损坏：#invite= 之后应为 64 位十六进制数字。";
        invite_offline: "The invite could not be redeemed: {}. Open the link again when online.", "无法使用此邀请：{}。请在联网后重新打开链接。";
    }
}
