begin;
create table parity_a (id int);
commit /* first step */;
begin;
create table parity_b (id int);
COMMIT AND CHAIN;
create table parity_c (id int);
end;
