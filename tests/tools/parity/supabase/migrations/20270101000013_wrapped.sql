BEGIN;
create table parity_wrapped (id int);
COMMIT;
