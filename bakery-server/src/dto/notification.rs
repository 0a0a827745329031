//! The customer's inbox.

use super::timestamp::Timestamp;
use bakery_core::domain;
use poem_openapi::{Enum, Object};

/// What a notification is about. More types may be added: show an unknown one like
/// `system`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum NotificationType {
    Order,
    Promotion,
    System,
}

impl From<domain::NotificationKind> for NotificationType {
    fn from(k: domain::NotificationKind) -> Self {
        match k {
            domain::NotificationKind::Order => Self::Order,
            domain::NotificationKind::Promotion => Self::Promotion,
            domain::NotificationKind::System => Self::System,
        }
    }
}

/// One entry of a user's inbox; the same message is sent as a push to their devices.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Notification {
    pub id: String,
    pub title: String,
    pub message: String,
    #[oai(rename = "type")]
    pub kind: NotificationType,
    /// The order (or other resource) it is about.
    pub reference_id: Option<String>,
    pub is_read: bool,
    pub created_at: Timestamp,
}

impl From<domain::Notification> for Notification {
    fn from(n: domain::Notification) -> Self {
        Self {
            id: n.id.into(),
            title: n.title,
            message: n.message,
            kind: n.kind.into(),
            reference_id: n.reference_id.map(Into::into),
            is_read: n.is_read,
            created_at: n.created_at.into(),
        }
    }
}
