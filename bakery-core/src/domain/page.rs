use serde::Serialize;

use crate::error::Error;

/// Which slice of a list the caller wants. `page` counts from 1; `limit` is 1..=100 so no
/// client can ask the store for everything at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    limit: u32,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 100;

    pub fn new(page: Option<u32>, limit: Option<u32>) -> Result<Self, Error> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if page == 0 {
            return Err(Error::validation("page", "must be at least 1"));
        }
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(Error::validation("limit", "must be between 1 and 100"));
        }
        Ok(Self { page, limit })
    }

    pub fn first(limit: u32) -> Self {
        Self {
            page: 1,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }

    pub fn page(self) -> u32 {
        self.page
    }

    pub fn limit(self) -> u32 {
        self.limit
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// One page of a list and the size of the whole list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub limit: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: request.page,
            limit: request.limit,
            total,
        }
    }

    /// The requested page of a list already read whole: for lists bounded by the domain
    /// (categories, favorites) or ranked in memory (search), where the store cannot page.
    pub fn slice(all: Vec<T>, request: PageRequest) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.limit as usize)
            .collect();
        Self::new(items, request, total)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            limit: self.limit,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_cuts_the_requested_page_and_counts_the_whole_list() {
        let all: Vec<u32> = (1..=45).collect();
        let third = Page::slice(all.clone(), PageRequest::new(Some(3), Some(20)).unwrap());
        assert_eq!(third.items, (41..=45).collect::<Vec<_>>());
        assert_eq!((third.page, third.limit, third.total), (3, 20, 45));

        let beyond = Page::slice(all, PageRequest::new(Some(9), Some(20)).unwrap());
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.total, 45);
    }
}
