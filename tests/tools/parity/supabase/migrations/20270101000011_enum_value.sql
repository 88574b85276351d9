create type parity_status as enum ('draft');
alter type parity_status add value 'live';
-- A new enum value can be used once committed.
commit;
create table parity_posts (status parity_status not null default 'live');
