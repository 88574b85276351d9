-- A column and an alias named atomic are plain names, not the start of a
-- BEGIN ATOMIC body: three statements.
create table parity_jobs (id int primary key, atomic boolean not null default false);
create table parity_jobs2 (x int);
create view parity_atomic_jobs as select id, atomic as is_atomic from parity_jobs where atomic;
