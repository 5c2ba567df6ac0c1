-- JSON text exactly as JavaScript's JSON.stringify(JSON.parse(v::text)) writes it, for the FHIR NDJSON
-- export that Postgres renders (api/domain/audit-fhir-sql.ts): the export's entity details hold
-- non-string values as JSON text, and Postgres's own jsonb output differs from JavaScript's in three ways
-- these functions undo. They state JavaScript's JSON rules, not the FHIR mapping, which is composed in
-- TypeScript from the same tables the JavaScript writer uses.
--   spacing   jsonb prints `{"a": 1, "b": [1, 2]}`, JSON.stringify `{"a":1,"b":[1,2]}`;
--   key order jsonb keeps keys shortest first, JSON.parse keeps them in text order, and JavaScript objects
--             list keys that are array indices ("0" .. "4294967294") first, in numeric order;
--   numbers   jsonb keeps the decimal as written (1.50, 100000000000000000000000), JavaScript prints the
--             shortest text that reads back as the same double (1.5, 1e+23); js_number does so for
--             numbers of up to 15 significant digits and answers null for the rest (see there).
-- Strings are escaped alike by both (\" \\ \b \f \n \r \t, other controls as \u00xx, the rest raw).

-- A key's place among a JavaScript object's array-index keys, or null if it is not one.
CREATE FUNCTION js_array_index(k text) RETURNS bigint AS $$
  SELECT CASE WHEN k ~ '^(0|[1-9][0-9]{0,9})$' THEN nullif(least(k::bigint, 4294967295), 4294967295) END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;
--> statement-breakpoint

-- A number as JavaScript's Number.prototype.toString prints the double nearest to it (ECMA-262
-- Number::toString), or null when that cannot be told here. With at most 15 significant digits (and a
-- magnitude well inside the doubles) the shortest text that reads back as the same double has exactly
-- those digits (DBL_DIG is 15), so only the layout is JavaScript's. Past 15 digits the digits would have
-- to come from float8's own shortest form, which at exact ties differs from V8's
-- (65196577800000000000 prints 6.5196577799999996e+19): the caller renders those rows in JavaScript.
CREATE FUNCTION js_decimal(n numeric) RETURNS text AS $$
DECLARE
  t text;
  neg boolean;
  digits text;
  point int;
  k int;
  r text;
BEGIN
  IF n = 0 THEN
    RETURN '0';
  END IF;
  t := abs(n)::text;
  neg := n < 0;
  -- numeric prints plain decimals: the value is 0.<digits> × 10^point.
  digits := replace(t, '.', '');
  point := coalesce(nullif(strpos(t, '.'), 0) - 1, length(t));
  k := length(digits);
  digits := ltrim(digits, '0');
  point := point - (k - length(digits));
  digits := rtrim(digits, '0');
  k := length(digits);
  IF k > 15 OR point > 300 OR point < -300 THEN
    RETURN NULL;
  END IF;
  IF k <= point AND point <= 21 THEN
    r := digits || repeat('0', point - k);
  ELSIF 0 < point AND point <= 21 THEN
    r := left(digits, point) || '.' || substr(digits, point + 1);
  ELSIF -6 < point AND point <= 0 THEN
    r := '0.' || repeat('0', -point) || digits;
  ELSE
    r := left(digits, 1) || CASE WHEN k > 1 THEN '.' || substr(digits, 2) ELSE '' END
         || 'e' || CASE WHEN point - 1 >= 0 THEN '+' ELSE '-' END || abs(point - 1)::text;
  END IF;
  RETURN CASE WHEN neg THEN '-' || r ELSE r END;
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT;
--> statement-breakpoint

-- The same, with integers of up to 15 digits (which print as they are: the common case) answered here,
-- in a single expression the planner inlines.
CREATE FUNCTION js_number(n numeric) RETURNS text AS $$
  SELECT CASE WHEN n::text ~ '^(0|-?[1-9][0-9]{0,14})$' THEN n::text ELSE js_decimal(n) END
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE; -- not STRICT: a strict function over a CASE is not inlined
--> statement-breakpoint

-- A jsonb value as JSON.stringify(JSON.parse(v::text)) writes it, or null if it holds a number js_number
-- cannot print.
CREATE FUNCTION js_json(v jsonb) RETURNS text AS $$
BEGIN
  CASE jsonb_typeof(v)
    WHEN 'object' THEN
      -- string_agg skips nulls: a member that cannot be printed is counted instead.
      RETURN (SELECT CASE WHEN count(*) = count(j) THEN '{' || coalesce(string_agg(to_json(key)::text || ':' || j, ',' ORDER BY js_array_index(key), n), '') || '}' END
              FROM jsonb_each(v) WITH ORDINALITY AS e(key, value, n), js_json(value) AS j);
    WHEN 'array' THEN
      RETURN (SELECT CASE WHEN count(*) = count(j) THEN '[' || coalesce(string_agg(j, ',' ORDER BY n), '') || ']' END
              FROM jsonb_array_elements(v) WITH ORDINALITY AS e(value, n), js_json(value) AS j);
    WHEN 'number' THEN
      RETURN js_number(v::numeric);
    ELSE
      -- Strings, true, false, null: jsonb prints them as JSON.stringify does.
      RETURN v::text;
  END CASE;
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT;
