-- Nhịp district hub — a PostgreSQL database for nhip-hub, reached through the local socket
-- with peer authentication: the system user _nhiphub (made by the nhip-hub package) logs in
-- as the role of the same name, with no password to keep.
--
--   apt install postgresql
--   runuser -u postgres -- psql -v ON_ERROR_STOP=1 -f /usr/share/doc/nhip-hub/examples/postgresql-setup.sql
--
-- then put `database=postgresql:///nhip_hub` in the [hub] group of
-- /var/lib/nhip-hub/hub.conf and restart nhip-hub: the hub makes its tables at start.

CREATE ROLE _nhiphub LOGIN;
CREATE DATABASE nhip_hub OWNER _nhiphub ENCODING 'UTF8' LC_COLLATE 'C.UTF-8'
	LC_CTYPE 'C.UTF-8' TEMPLATE template0;
REVOKE ALL ON DATABASE nhip_hub FROM PUBLIC;
