use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Id;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Order,
    Promotion,
    System,
}

impl NotificationKind {
    /// The wire name, as in the stored document and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Promotion => "promotion",
            Self::System => "system",
        }
    }
}

/// What the customer sees in the app's inbox; push delivery is best effort on top of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: Id,
    pub user_id: Id,
    pub title: String,
    pub message: String,
    pub kind: NotificationKind,
    /// The order (or other resource) the notification is about.
    pub reference_id: Option<Id>,
    pub is_read: bool,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
}
