create table parity_crlf (
  id int,
  label text default 'a;b'
);
insert into parity_crlf values (1, 'x');
