-- Saved by an editor that starts files with a byte-order mark.
create table parity_bom (id int);
insert into parity_bom values (1);
