-- pg-delta: transaction=false
create table parity_each (id int);
insert into parity_each values (1);
