//! Which column of the file goes to which field: guessed from the header names, corrected by
//! the user, remembered for next time.
//!
//! The guess knows the names English and Chinese spreadsheets and other CRMs give their
//! columns (`E-mail`, `邮箱`, `客户名称`, `customer_id`...), compared without case, spaces,
//! underscores or punctuation. A [`Mapping`] stores the header each column was mapped from,
//! so a saved mapping re-applies by name when the same layout comes again, even with the
//! columns in another order ([`Mapping::reapply`]).

use super::values::DateOrder;
use super::ImportError;
use crate::normalize::fold_width;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the rows of a file become.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Customers,
    Contacts,
    Orders,
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportKind::Customers => "customer",
            ImportKind::Contacts => "contact",
            ImportKind::Orders => "order",
        })
    }
}

/// Where one column's values go. Which targets an import kind offers is
/// [`Target::for_kind`]; `Email` and `Phone` hold one value on a customer and several on a
/// contact.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Ignore,
    // customers
    ExternalId,
    Name,
    Kind,
    Email,
    Phone,
    Owner,
    Industry,
    Size,
    Province,
    City,
    Source,
    Tags,
    ReferredBy,
    DoNotCall,
    EmailOptIn,
    Notes,
    /// contacts and orders: the customer they belong to (its external id, email or name)
    Customer,
    // contacts
    Title,
    Role,
    Wechat,
    Birthday,
    // orders
    OrderId,
    Date,
    Amount,
    Currency,
    Quantity,
    Items,
    /// a custom field of that name (on contacts and orders: an extra column kept as is)
    Custom(String),
}

static CUSTOMER_TARGETS: [Target; 16] = [
    Target::ExternalId,
    Target::Name,
    Target::Kind,
    Target::Email,
    Target::Phone,
    Target::Owner,
    Target::Industry,
    Target::Size,
    Target::Province,
    Target::City,
    Target::Source,
    Target::Tags,
    Target::ReferredBy,
    Target::DoNotCall,
    Target::EmailOptIn,
    Target::Notes,
];
static CONTACT_TARGETS: [Target; 8] = [
    Target::Customer,
    Target::Name,
    Target::Title,
    Target::Role,
    Target::Email,
    Target::Phone,
    Target::Wechat,
    Target::Birthday,
];
static ORDER_TARGETS: [Target; 7] = [
    Target::Customer,
    Target::OrderId,
    Target::Date,
    Target::Amount,
    Target::Currency,
    Target::Quantity,
    Target::Items,
];

impl Target {
    /// The fields an import of `kind` offers, besides [`Target::Custom`] and [`Target::Ignore`].
    pub fn for_kind(kind: ImportKind) -> &'static [Target] {
        match kind {
            ImportKind::Customers => &CUSTOMER_TARGETS,
            ImportKind::Contacts => &CONTACT_TARGETS,
            ImportKind::Orders => &ORDER_TARGETS,
        }
    }

    /// The field's name in snake_case (as serialized), or the custom field's name.
    pub fn key(&self) -> &str {
        match self {
            Target::Ignore => "ignore",
            Target::ExternalId => "external_id",
            Target::Name => "name",
            Target::Kind => "kind",
            Target::Email => "email",
            Target::Phone => "phone",
            Target::Owner => "owner",
            Target::Industry => "industry",
            Target::Size => "size",
            Target::Province => "province",
            Target::City => "city",
            Target::Source => "source",
            Target::Tags => "tags",
            Target::ReferredBy => "referred_by",
            Target::DoNotCall => "do_not_call",
            Target::EmailOptIn => "email_opt_in",
            Target::Notes => "notes",
            Target::Customer => "customer",
            Target::Title => "title",
            Target::Role => "role",
            Target::Wechat => "wechat",
            Target::Birthday => "birthday",
            Target::OrderId => "order_id",
            Target::Date => "date",
            Target::Amount => "amount",
            Target::Currency => "currency",
            Target::Quantity => "quantity",
            Target::Items => "items",
            Target::Custom(name) => name,
        }
    }

    /// Whether several columns may go to this target, their values added up: tags, notes,
    /// custom fields, a contact's emails and phones, order items.
    pub fn is_repeatable(&self, kind: ImportKind) -> bool {
        match self {
            Target::Ignore | Target::Tags | Target::Notes | Target::Custom(_) | Target::Items => true,
            Target::Email | Target::Phone => kind == ImportKind::Contacts,
            _ => false,
        }
    }

    fn offered_for(&self, kind: ImportKind) -> bool {
        matches!(self, Target::Ignore | Target::Custom(_)) || Target::for_kind(kind).contains(self)
    }
}

/// The fields a row cannot do without; a mapping lacking one is refused before any row is read.
pub fn required_targets(kind: ImportKind) -> &'static [Target] {
    static CUSTOMERS: [Target; 1] = [Target::Name];
    static CONTACTS: [Target; 2] = [Target::Customer, Target::Name];
    static ORDERS: [Target; 3] = [Target::Customer, Target::Date, Target::Amount];
    match kind {
        ImportKind::Customers => &CUSTOMERS,
        ImportKind::Contacts => &CONTACTS,
        ImportKind::Orders => &ORDERS,
    }
}

/// One column: the header it had in the file, and where its values go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub header: String,
    pub target: Target,
}

/// The user's decisions for one file layout: one [`Column`] per column of the file, in file
/// order, and how to read ambiguous dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<Column>,
    #[serde(default)]
    pub date_order: DateOrder,
}

impl Mapping {
    /// Whether `headers` are this mapping's headers in the same order (compared like guesses:
    /// without case, spaces and punctuation), so it applies as is.
    pub fn is_compatible<S: AsRef<str>>(&self, headers: &[S]) -> bool {
        self.columns.len() == headers.len()
            && self.columns.iter().zip(headers).all(|(c, h)| header_key(&c.header) == header_key(h.as_ref()))
    }

    /// This mapping carried over to a file with `headers`: each column whose header this
    /// mapping knows gets the same target, the others are guessed around them. The date
    /// order is kept.
    pub fn reapply<S: AsRef<str>>(&self, kind: ImportKind, headers: &[S]) -> Mapping {
        let mut used = vec![false; self.columns.len()];
        let preset: Vec<Option<Target>> = headers
            .iter()
            .map(|h| {
                let key = header_key(h.as_ref());
                let (i, c) =
                    self.columns.iter().enumerate().find(|(i, c)| !used[*i] && header_key(&c.header) == key)?;
                used[i] = true;
                Some(c.target.clone())
            })
            .collect();
        Mapping { columns: guess_around(kind, headers, preset), date_order: self.date_order }
    }

    /// Refuses a mapping that cannot import a file with `headers` as `kind`: a different
    /// number of columns, a target the kind does not have, a required target missing, or
    /// one field fed by two columns.
    pub fn check<S: AsRef<str>>(&self, kind: ImportKind, headers: &[S]) -> Result<(), ImportError> {
        if self.columns.len() != headers.len() {
            return Err(ImportError::MappingMismatch { mapped: self.columns.len(), headers: headers.len() });
        }
        for (i, c) in self.columns.iter().enumerate() {
            if !c.target.offered_for(kind) {
                return Err(ImportError::TargetNotForKind {
                    header: c.header.clone(),
                    target: c.target.key().to_string(),
                    kind,
                });
            }
            if c.target.is_repeatable(kind) {
                continue;
            }
            if let Some(first) = self.columns[..i].iter().find(|f| f.target == c.target) {
                return Err(ImportError::DuplicateTarget {
                    target: c.target.key().to_string(),
                    first: first.header.clone(),
                    second: c.header.clone(),
                });
            }
        }
        for t in required_targets(kind) {
            if !self.columns.iter().any(|c| &c.target == t) {
                return Err(ImportError::MissingTarget { kind, target: t.key() });
            }
        }
        Ok(())
    }
}

/// A header compared without case, spaces, underscores, dashes and punctuation, with
/// full-width characters folded: `E-mail`, `e_mail` and `ＥＭＡＩＬ` are all `email`.
pub fn header_key(h: &str) -> String {
    fold_width(h)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !matches!(c, '（' | '）' | '：' | '·' | '/'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A first mapping for a file with `headers`, to show the user for correction.
///
/// Each field is guessed for at most one column (a repeatable one for several). A column not
/// recognised becomes a custom field in a customer import, so nothing is lost by default, and
/// is ignored in contact and order imports.
pub fn guess_mapping<S: AsRef<str>>(kind: ImportKind, headers: &[S]) -> Mapping {
    Mapping { columns: guess_around(kind, headers, vec![None; headers.len()]), date_order: DateOrder::Auto }
}

/// Guesses the columns without a `preset` target, leaving the fields the presets take.
fn guess_around<S: AsRef<str>>(kind: ImportKind, headers: &[S], mut preset: Vec<Option<Target>>) -> Vec<Column> {
    for i in 0..headers.len() {
        if preset[i].is_some() {
            continue;
        }
        let header = headers[i].as_ref();
        let target = match guess_target(kind, &header_key(header)) {
            Some(t) if t.is_repeatable(kind) || !preset.contains(&Some(t.clone())) => t,
            _ => fallback(kind, header),
        };
        preset[i] = Some(target);
    }
    headers
        .iter()
        .zip(preset)
        .map(|(h, t)| Column { header: h.as_ref().trim().to_string(), target: t.unwrap_or(Target::Ignore) })
        .collect()
}

fn fallback(kind: ImportKind, header: &str) -> Target {
    let header = header.trim();
    if kind == ImportKind::Customers && !header.is_empty() && !IGNORED.contains(&header_key(header).as_str()) {
        Target::Custom(header.to_string())
    } else {
        Target::Ignore
    }
}

/// Columns the rejected-rows file adds ([`super::rejected_rows_csv`]); ignored when it is
/// imported again after fixing.
const IGNORED: &[&str] = &["importline", "importreason"];

fn guess_target(kind: ImportKind, key: &str) -> Option<Target> {
    use ImportKind::*;
    if key.is_empty() || IGNORED.contains(&key) {
        return None;
    }
    let exact = match (kind, key) {
        (
            Customers,
            "id" | "customerid" | "custid" | "clientid" | "accountid" | "externalid" | "customerno" | "customernumber"
            | "customercode" | "客户编号" | "客户id" | "客户代码" | "客户号" | "编号",
        ) => Target::ExternalId,
        (
            Customers,
            "name" | "customername" | "companyname" | "company" | "accountname" | "clientname" | "customer" | "client"
            | "fullname" | "organization" | "organisation" | "姓名" | "名称" | "客户名称" | "客户名" | "客户"
            | "客户姓名" | "公司" | "公司名称" | "企业名称" | "单位名称",
        ) => Target::Name,
        (Customers, "type" | "kind" | "customertype" | "accounttype" | "类型" | "客户类型" | "类别") => {
            Target::Kind
        }
        (
            Customers,
            "owner" | "accountowner" | "salesrep" | "salesperson" | "assignedto" | "负责人" | "销售" | "业务员"
            | "客户经理" | "所有者" | "跟进人",
        ) => Target::Owner,
        (Customers, "industry" | "sector" | "行业" | "所属行业") => Target::Industry,
        (Customers, "size" | "companysize" | "employees" | "headcount" | "规模" | "公司规模" | "人数" | "员工人数") => {
            Target::Size
        }
        (Customers, "province" | "state" | "region" | "省份" | "省" | "地区") => Target::Province,
        (Customers, "city" | "town" | "城市" | "市") => Target::City,
        (Customers, "source" | "leadsource" | "channel" | "来源" | "客户来源" | "渠道") => Target::Source,
        (Customers, "tags" | "tag" | "labels" | "label" | "标签") => Target::Tags,
        (Customers, "referredby" | "referrer" | "referral" | "推荐人" | "介绍人") => Target::ReferredBy,
        (Customers, "donotcall" | "dnc" | "拒绝来电" | "勿扰" | "禁止致电") => Target::DoNotCall,
        (Customers, "emailoptin" | "optin" | "subscribed" | "newsletter" | "订阅" | "接收邮件" | "邮件订阅") => {
            Target::EmailOptIn
        }
        (
            Customers,
            "notes" | "note" | "remarks" | "remark" | "comments" | "comment" | "description" | "备注" | "说明" | "描述",
        ) => Target::Notes,

        (
            Contacts,
            "customer" | "customerid" | "customerno" | "customername" | "company" | "companyname" | "account"
            | "accountname" | "organization" | "organisation" | "客户" | "客户编号" | "客户名称" | "公司" | "公司名称"
            | "所属客户" | "所属公司" | "单位",
        ) => Target::Customer,
        (Contacts, "name" | "contactname" | "fullname" | "contact" | "姓名" | "联系人" | "联系人姓名" | "名字") => {
            Target::Name
        }
        (Contacts, "title" | "jobtitle" | "position" | "职位" | "职务" | "头衔") => Target::Title,
        (Contacts, "role" | "角色") => Target::Role,
        (Contacts, "wechat" | "weixin" | "wechatid" | "微信" | "微信号") => Target::Wechat,
        (Contacts, "birthday" | "dateofbirth" | "dob" | "birthdate" | "生日" | "出生日期") => Target::Birthday,

        (
            Orders,
            "customer" | "customerid" | "custid" | "client" | "clientid" | "customerno" | "customername"
            | "customeremail" | "客户" | "客户编号" | "客户名称" | "客户id" | "会员" | "会员编号",
        ) => Target::Customer,
        (
            Orders,
            "orderid" | "orderno" | "ordernumber" | "order" | "invoice" | "invoiceno" | "订单号" | "订单编号" | "单号",
        ) => Target::OrderId,
        (
            Orders,
            "date" | "orderdate" | "purchasedate" | "日期" | "下单日期" | "订单日期" | "下单时间" | "购买日期"
            | "交易日期",
        ) => Target::Date,
        (
            Orders,
            "amount" | "total" | "ordertotal" | "totalamount" | "value" | "revenue" | "sales" | "金额" | "总金额"
            | "订单金额" | "总价" | "实付金额" | "销售额",
        ) => Target::Amount,
        (Orders, "currency" | "币种" | "货币") => Target::Currency,
        (Orders, "quantity" | "qty" | "数量" | "件数") => Target::Quantity,
        (Orders, "items" | "item" | "products" | "product" | "商品" | "产品" | "明细" | "商品名称") => {
            Target::Items
        }
        _ => Target::Ignore,
    };
    if exact != Target::Ignore {
        return Some(exact);
    }
    // words inside longer headers: "Work E-mail", "联系电话", "Order Date (UTC)"
    let has = |words: &[&str]| words.iter().any(|w| key.contains(w));
    let person_fields = matches!(kind, Customers | Contacts);
    if person_fields && has(&["email", "邮箱", "邮件"]) {
        Some(Target::Email)
    } else if person_fields && has(&["phone", "mobile", "tel", "cell", "手机", "电话", "座机"]) {
        Some(Target::Phone)
    } else if kind == Orders && has(&["date", "日期", "时间"]) {
        Some(Target::Date)
    } else if kind == Orders && has(&["amount", "total", "金额"]) {
        Some(Target::Amount)
    } else if kind == Customers && has(&["tag", "标签"]) {
        Some(Target::Tags)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(m: &Mapping) -> Vec<&str> {
        m.columns.iter().map(|c| c.target.key()).collect()
    }

    #[test]
    fn header_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(header_key(" E-Mail "), "email");
        assert_eq!(header_key("customer_id"), "customerid");
        assert_eq!(header_key("ＥＭＡＩＬ"), "email");
        assert_eq!(header_key("客户名称（必填）"), "客户名称必填");
    }

    #[test]
    fn repeated_scalar_guesses_fall_back() {
        let m = guess_mapping(ImportKind::Customers, &["Name", "Phone", "Mobile", "Tags", "Labels"]);
        assert_eq!(targets(&m), ["name", "phone", "Mobile", "tags", "tags"]);
        let m = guess_mapping(ImportKind::Contacts, &["Name", "Phone", "Mobile", "Fax machine"]);
        assert_eq!(targets(&m), ["name", "phone", "phone", "ignore"]);
    }

    #[test]
    fn check_refuses_unusable_mappings() {
        let headers = ["customer_id", "date", "amount"];
        let mut m = guess_mapping(ImportKind::Orders, &headers);
        assert_eq!(m.check(ImportKind::Orders, &headers), Ok(()));
        assert!(matches!(m.check(ImportKind::Orders, &headers[..2]), Err(ImportError::MappingMismatch { .. })));
        m.columns[2].target = Target::Date;
        assert!(matches!(m.check(ImportKind::Orders, &headers), Err(ImportError::DuplicateTarget { .. })));
        m.columns[2].target = Target::Ignore;
        assert!(matches!(
            m.check(ImportKind::Orders, &headers),
            Err(ImportError::MissingTarget { target: "amount", .. })
        ));
        m.columns[2].target = Target::Tags;
        assert!(matches!(m.check(ImportKind::Orders, &headers), Err(ImportError::TargetNotForKind { .. })));
    }

    #[test]
    fn reapply_follows_header_names_not_positions() {
        let mut m = guess_mapping(ImportKind::Customers, &["Name", "Phone", "Level"]);
        m.columns[2].target = Target::Ignore;
        m.columns[1].target = Target::Custom("Landline".into());
        let again = m.reapply(ImportKind::Customers, &["level", "NAME", "phone", "Mobile"]);
        assert_eq!(targets(&again), ["ignore", "name", "Landline", "phone"]);
        assert!(!m.is_compatible(&["level", "NAME", "phone"]));
        assert!(m.is_compatible(&["name", "PHONE", "level"]));
    }
}
