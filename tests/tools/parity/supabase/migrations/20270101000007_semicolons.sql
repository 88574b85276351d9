create table "parity;odd" ("semi;colon" text);;
insert into "parity;odd" values ('it''s; fine');;;
;
select 'a;b' as "x;y";
