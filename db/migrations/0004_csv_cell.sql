-- One CSV cell (RFC 4180) with spreadsheet formula triggers neutralised: a value starting with =, +, -,
-- @, tab or CR gets a leading apostrophe; a value holding a delimiter, quote, CR, LF or apostrophe is
-- quoted with inner quotes doubled. The audit export has Postgres render whole lines with it, so the
-- server streams text instead of building millions of row objects.
CREATE FUNCTION csv_cell(v text) RETURNS text AS $$
  SELECT CASE
    WHEN v IS NULL THEN ''
    ELSE (SELECT CASE WHEN w ~ '[",\r\n'']' THEN '"' || replace(w, '"', '""') || '"' ELSE w END
          FROM (SELECT CASE WHEN v ~ '^[=+@\t\r-]' THEN '''' || v ELSE v END AS w) x)
  END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;
