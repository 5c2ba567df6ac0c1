-- One CSV cell (RFC 4180) with spreadsheet formula triggers neutralised: a value starting with =, +, -,
-- @, tab or CR gets a leading apostrophe; a value holding a delimiter, quote, CR, LF or apostrophe is
-- quoted with inner quotes doubled (a neutralised value always is: it holds an apostrophe). The audit
-- export has Postgres render whole lines with it, so the server streams text instead of building
-- millions of row objects. A single expression, so the planner inlines it.
CREATE FUNCTION csv_cell(v text) RETURNS text AS $$
  SELECT CASE
    WHEN v IS NULL THEN ''
    WHEN v ~ '^[=+@\t\r-]' THEN '"''' || replace(v, '"', '""') || '"'
    WHEN v ~ '[",\r\n'']' THEN '"' || replace(v, '"', '""') || '"'
    ELSE v
  END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;
