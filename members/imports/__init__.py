"""Bulk imports of the registrar's spreadsheets (SPEC OR-4): read → plan (the dry run) → apply.

* ``reader`` turns an uploaded .xlsx (openpyxl) or .csv into a header row and value rows, with format
  detection, encodings, limits and Chinese errors.
* ``layouts`` declares, per kind of import, its columns (Chinese headers, English accepted) and how a row
  becomes field values, with errors that name the row and the column.
* ``engine`` plans an import against the school's current rows (new / changed / unchanged / errors) with
  every lookup preloaded in a few queries, and applies a clean plan in one transaction with bulk writes.
"""
