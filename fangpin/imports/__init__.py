"""Registry imports from Excel (户籍与成员, 成员, 收入, 两不愁三保障): templates, all-or-nothing
validated imports with a dry-run report, error workbooks, idempotency, background jobs."""
