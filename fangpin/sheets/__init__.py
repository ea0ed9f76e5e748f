"""Spreadsheets in and out (pure core, no Django): safe reading of uploaded files, templates,
error workbooks and writers that never produce a formula."""
