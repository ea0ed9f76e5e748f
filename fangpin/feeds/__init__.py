"""Department feeds (部门数据): import, validate, match, stage and publish (docs/feeds.md)."""
