//! Words of the settings screen.

crate::messages! {
    SettingsMsg {
        title: "Settings", "设置";
        language: "Language", "语言";
        language_hint: "Only on this device. The first time, the browser’s language is used.",
                       "仅对本设备生效。首次使用时采用浏览器的语言。";
        share: "Share this workspace", "共享此工作区";
        share_intro: "Open this link in another browser to join this workspace. It carries the workspace key: share it only with your team. The relay never sees the key.",
                     "在另一个浏览器中打开此链接即可加入此工作区。链接中含有工作区密钥：只与团队成员分享。中继服务器永远看不到密钥。";
        invite_link: "Invite link", "邀请链接";
        copy: "Copy", "复制";
        copied: "Copied", "已复制";
        peer_to_peer: "Peer-to-peer", "点对点连接";
        ice_servers: "STUN/TURN servers", "STUN/TURN 服务器";
        p2p_on: "Connect directly to teammates’ devices", "直接连接队友的设备";
        p2p_hint: "Only on this device; takes effect when the app next starts. Direct connections keep you in sync without the relay, and let teammates on the network see this device’s address.",
                  "仅对本设备生效，下次启动应用时生效。直接连接可在没有中继服务器时保持同步，同一网络中的队友会看到本设备的地址。";
        ice_hint: "One per line: stun:host:port, or turn:host:port username password. With none, devices connect directly only on the same network.",
                  "每行一个：stun:主机:端口，或 turn:主机:端口 用户名 密码。留空时，设备只在同一网络内直接连接。";
        ice_bad: "“{}” is not a STUN or TURN server: start it with stun:, turn: or turns:.", "“{}”不是 STUN 或 TURN 服务器：应以 stun:、turn: 或 turns: 开头。";
        team: "Team", "团队";
        team_hint: "Your name is shown to the team in each customer's history, in conflicts and beside what you are editing.",
                   "你的名字会显示在客户的修改历史、冲突和你正在编辑的字段旁。";
        your_name: "Your name", "你的名字";
        this_device_is: "This device belongs to", "此设备属于";
        pick_member: "Choose a member", "选择成员";
        this_device: "this device", "本设备";
        team_note: "Changes below apply to the whole team and sync to every device.",
                   "以下设置对整个团队生效，并同步到每台设备。";
        currency: "Default currency", "默认货币";
        currency_hint: "New deals and orders start in this currency.", "新商机和订单默认使用此货币。";
        marketing: "Marketing costs", "营销费用";
        marketing_hint: "Spend per month, in the default currency. Analytics divides it by the customers won to show acquisition cost and return.",
                        "每月支出，按默认货币计。分析页据此计算获客成本与回报。";
        marketing_month: "Month", "月份";
        marketing_amount: "Amount", "金额";
        add_cost: "Add cost", "添加费用";
        remove_cost: "Remove the cost of {}", "删除 {} 的费用";
        costs: "Marketing costs by month", "各月营销费用";
        cost_invalid: "Pick a month and enter an amount of 0 or more.", "请选择月份并输入不小于 0 的金额。";
        pipelines: "Pipelines and stages", "管道与阶段";
        pipeline_name: "Pipeline name", "管道名称";
        stages_of: "Stages of {}", "{} 的阶段";
        stage_n: "Stage {}", "阶段 {}";
        stage_name: "Stage name", "阶段名称";
        probability: "Win probability (%)", "赢单概率（%）";
        outcome: "Outcome", "结果";
        outcome_open: "Open", "进行中";
        outcome_won: "Won", "赢单";
        outcome_lost: "Lost", "输单";
        move_up: "Move up", "上移";
        move_down: "Move down", "下移";
        remove_stage: "Remove stage", "删除阶段";
        stage_has_deals: "{} deals are in this stage: move them before removing it.",
                         "此阶段有 {} 个商机：请先移走再删除。";
        new_stage: "New stage", "新阶段";
        add_stage: "Add stage", "添加阶段";
        new_pipeline: "New pipeline", "新管道";
        add_pipeline: "Add pipeline", "添加管道";
        custom_fields: "Custom fields", "自定义字段";
        custom_fields_empty: "No custom fields yet.", "还没有自定义字段。";
        field_label: "Field label", "字段名称";
        field_kind: "Field type", "字段类型";
        kind_text: "Text", "文本";
        kind_number: "Number", "数字";
        kind_date: "Date", "日期";
        kind_choice: "Choice", "选项";
        choices: "Choices (comma-separated)", "选项（用逗号分隔）";
        add_field: "Add field", "添加字段";
        remove_field: "Remove field {}", "删除字段 {}";
        field_exists: "A field with this label already exists.", "已有同名字段。";
        needs_label: "Give it a name first.", "请先输入名称。";
        tiers: "Loyalty tiers", "会员等级";
        tiers_hint: "A customer reaches the highest tier whose minimum their points balance meets.",
                    "客户积分达到某等级的最低积分即可获得该等级（取最高者）。";
        tier_n: "Tier {}", "等级 {}";
        tier_name: "Tier name", "等级名称";
        min_points: "Minimum points", "最低积分";
        remove_tier: "Remove tier", "删除等级";
        new_tier: "New tier", "新等级";
        add_tier: "Add tier", "添加等级";
        device: "This device", "本设备";
        workspace: "Workspace", "工作区";
        device_id: "Device", "设备";
        saved: "Saved.", "已保存。";
    }
}
