-- What the database alone needs to store one million-row import: the rows the 1M run of
-- bench/intake.py stored (municipality 7001) inserted again for another municipality with
-- INSERT ... SELECT, with every index and foreign key of the schema, in one transaction. No
-- reading, checking, matching or routing: the floor under any implementation of the intake with
-- this schema on this server. Run right after bench/intake.py (PostgreSQL):
--
--   flock var/bench.lock psql -h 127.0.0.1 -U postgres bereik_bench_intake -f bench/intake_floor.sql
--
-- Once per database. Times per statement (\timing); the last one is COMMIT, the deferred
-- foreign-key checks.
\set ON_ERROR_STOP on
SELECT EXISTS (SELECT 1 FROM accounts_organisation WHERE municipality_code = '7999') AS done \gset
\if :done
  \echo 'Already run on this database: run bench/intake.py again first (it recreates it).'
  \quit
\endif
SELECT id AS source_org FROM accounts_organisation WHERE municipality_code = '7001' \gset
DROP TABLE IF EXISTS stg_resident, stg_case, stg_signal, stg_phone, stg_transition;
CREATE UNLOGGED TABLE stg_resident AS SELECT * FROM cases_resident WHERE municipality_id = :source_org;
CREATE UNLOGGED TABLE stg_case AS SELECT * FROM cases_case WHERE municipality_id = :source_org;
CREATE UNLOGGED TABLE stg_signal AS SELECT * FROM cases_signal WHERE municipality_id = :source_org;
CREATE UNLOGGED TABLE stg_phone AS
  SELECT p.* FROM cases_phonenumber p JOIN stg_resident r ON r.id = p.resident_id;
CREATE UNLOGGED TABLE stg_transition AS
  SELECT t.* FROM cases_casetransition t JOIN stg_case c ON c.id = t.case_id;
INSERT INTO accounts_organisation (name, kind, municipality_code, is_active, created_at)
  SELECT 'Floor', kind, '7999', is_active, now() FROM accounts_organisation WHERE id = :source_org;
SELECT id AS org FROM accounts_organisation WHERE municipality_code = '7999' \gset
SELECT COALESCE(MAX(id), 0) + 1000000 AS shift FROM cases_case \gset
SELECT COALESCE(MAX(id), 0) + 1000000 AS rshift FROM cases_resident \gset
CHECKPOINT;
\timing on
BEGIN;
SELECT 1 FROM accounts_organisation WHERE id = :org FOR UPDATE;
INSERT INTO cases_resident (id, municipality_id, bsn, initials, surname_prefix, surname, birth_date,
    street, house_number, house_number_addition, postcode, city, email, created_at, anonymised_at)
  SELECT id + :rshift, :org, bsn, initials, surname_prefix, surname, birth_date, street,
    house_number, house_number_addition, postcode, city, email, created_at, anonymised_at
  FROM stg_resident;
INSERT INTO cases_case (id, municipality_id, resident_id, reference, matching_period, matched_on,
    picked_up_on, state, end_result, is_crisis, due_on, recidive_of_id, created_at, updated_at)
  SELECT id + :shift, :org, resident_id + :rshift, 'F' || reference, matching_period, matched_on,
    picked_up_on, state, end_result, is_crisis, due_on, recidive_of_id + :shift, created_at,
    updated_at
  FROM stg_case;
INSERT INTO cases_signal (municipality_id, case_id, resident_id, source, external_id, fingerprint,
    partner_type, partner_name, amount, arrears_since, signal_date, is_crisis, warm_handover,
    status, created_at)
  SELECT :org, case_id + :shift, resident_id + :rshift, source, external_id, fingerprint,
    partner_type, partner_name, amount, arrears_since, signal_date, is_crisis, warm_handover,
    status, created_at
  FROM stg_signal;
INSERT INTO cases_phonenumber (resident_id, raw, e164, kind, status, source, position, created_at)
  SELECT resident_id + :rshift, raw, e164, kind, status, source, position, created_at
  FROM stg_phone;
INSERT INTO cases_casetransition (case_id, from_state, to_state, reason, end_result, actor_id,
    occurred_at)
  SELECT case_id + :shift, from_state, to_state, reason, end_result, actor_id, occurred_at
  FROM stg_transition;
COMMIT;
\timing off
DROP TABLE stg_resident, stg_case, stg_signal, stg_phone, stg_transition;
