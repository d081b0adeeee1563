-- The database and its three roles, least privilege. Idempotent: run it again after `etl init`
-- or after adding a schema, it only fills in what is missing. Run as the superuser, e.g.
--   runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -v db=danvan -f - < setup.sql
-- (deploy/postgresql/setup.sh does this and then gives the roles their passwords).
--
--   danvan_owner   owns the database and its schema: `etl init` (migrations, reference data).
--   danvan_app     the replicas and the everyday `etl` commands: reads and writes rows
--                  (SELECT, INSERT, UPDATE, DELETE, sequences); cannot create, alter or drop.
--   danvan_backup  pg_dump only: reads everything (pg_read_all_data), read-only sessions.
-- None is a superuser or may create roles or databases.

\set ON_ERROR_STOP on
\if :{?db}
\else
\set db danvan
\endif

SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['danvan_owner', 'danvan_app', 'danvan_backup']) AS r
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r)
\gexec

-- Also on a re-run: whatever someone changed by hand, these roles get no more than this.
ALTER ROLE danvan_owner  LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 5;
-- 80 of max_connections (100): the replicas' pools and the commands; the rest stays for the
-- owner, the backup and the superuser even when a replica leaks connections.
ALTER ROLE danvan_app    LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 80;
ALTER ROLE danvan_backup LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 5;
ALTER ROLE danvan_backup SET default_transaction_read_only = on;
GRANT pg_read_all_data TO danvan_backup;

-- C.UTF-8: text compares byte by byte, so an upgrade of the C library never reorders an index
-- (and exports sort the same on every machine). template0: the only template that allows
-- choosing the locale.
SELECT format('CREATE DATABASE %I OWNER danvan_owner ENCODING %L LOCALE %L TEMPLATE template0',
              :'db', 'UTF8', 'C.UTF-8')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec

ALTER DATABASE :"db" OWNER TO danvan_owner;
-- By default every role may connect and create temporary tables in every database.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO danvan_app;
GRANT CONNECT ON DATABASE :"db" TO danvan_backup;

\connect :"db"

-- PostgreSQL 15: schema public belongs to the database owner (danvan_owner) and nobody else may
-- create in it; other roles may still look it up, so only ours keep that.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO danvan_app, danvan_backup;

-- What the owner creates from now on (migrations of `etl init`), in any schema.
ALTER DEFAULT PRIVILEGES FOR ROLE danvan_owner
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO danvan_app;
ALTER DEFAULT PRIVILEGES FOR ROLE danvan_owner
    GRANT USAGE, SELECT ON SEQUENCES TO danvan_app;
ALTER DEFAULT PRIVILEGES FOR ROLE danvan_owner
    GRANT USAGE ON SCHEMAS TO danvan_app, danvan_backup;

-- What the owner created before this script ran (a re-run after `etl init`).
DO $$
DECLARE s name;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace
             WHERE nspowner = 'danvan_owner'::regrole OR nspname = 'public'
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO danvan_app, danvan_backup', s);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO danvan_app', s);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO danvan_app', s);
    END LOOP;
END
$$;
