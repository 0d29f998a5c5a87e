# mysql_vtab — see README.md.
#   make            build/mysql_vtab.so
#   make test       dependencies, build, throwaway MariaDB, every test, stop it
#   make demo       dependencies, throwaway MariaDB, sample data, example queries
#   make bench      the benchmark (BENCH_SMALL=1 for a short run)
#   make fuzz       libFuzzer on the decoder (FUZZ_TIME=seconds)
#   make test SANITIZE=1   the same suite with ASan and UBSan
#   make MYSQL_CLIENT=mysql   build against MySQL's libmysqlclient
#   make test-matrix  MySQL 9.7, MariaDB 11.8, SQLite 3.53, both client
#                     libraries, from Debian unstable roots (test/matrix.sh)
#   make static     build/core/libmysql_vtab.a (-DSQLITE_CORE), to build in
#   make install    PREFIX=/usr/local DESTDIR=  (make uninstall removes it)

CC      ?= cc
SANITIZE ?=
# SQLITE_CORE=1 compiles the extension to be built into a program that
# links SQLite itself and registers it with sqlite3_auto_extension: SQLite's
# functions are then called directly, not through the loader's table.
SQLITE_CORE ?=
BUILD   ?= build$(if $(SANITIZE),/san)$(if $(SQLITE_CORE),/core)

# The client library: libmariadb (default), or MySQL's libmysqlclient with
# MYSQL_CLIENT=mysql (its mysql_config; the transport then uses
# mysql_binlog_open/mysql_binlog_fetch). Debian 12 ships only libmariadb.
MYSQL_CLIENT ?= mariadb
ifeq ($(MYSQL_CLIENT),mysql)
MARIADB_CFLAGS := $(shell mysql_config --cflags)
MARIADB_LIBS   := $(shell mysql_config --libs)
else
MARIADB_CFLAGS := $(shell mariadb_config --cflags 2>/dev/null || pkg-config --cflags libmariadb 2>/dev/null)
MARIADB_LIBS   := $(shell mariadb_config --libs 2>/dev/null || pkg-config --libs libmariadb 2>/dev/null)
endif
# The commit mysql_vtab_version() reports ("-dirty": uncommitted changes;
# "unknown" outside a git tree). $(BUILD)/commit changes only when it does,
# and ext.o depends on it, so a new commit rebuilds ext.o and nothing else.
COMMIT  := $(shell git describe --always --dirty --abbrev=7 2>/dev/null || echo unknown)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(BUILD)/commit 2>/dev/null)" = "$(COMMIT)" ] || echo "$(COMMIT)" >$(BUILD)/commit; })

comma   := ,
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
SANFLAGS := $(if $(SANITIZE),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC $(WARN) $(CFLAGS) $(SANFLAGS) \
  $(if $(SQLITE_CORE),-DSQLITE_CORE)
LIBS    := -lz -lzstd -lm

# Pure modules live in vtab/pure/: they know nothing of SQLite or the client
# library (check-pure enforces it), and the unit tests and the fuzzers link
# them alone. The glue in vtab/ includes them as "pure/x.h".
PURE_SRCS := $(wildcard vtab/pure/*.c)
GLUE_SRCS := $(wildcard vtab/*.c)
PURE_OBJS := $(PURE_SRCS:vtab/pure/%.c=$(BUILD)/obj/pure/%.o)
GLUE_OBJS := $(GLUE_SRCS:vtab/%.c=$(BUILD)/obj/%.o)
PURE_HDRS := $(wildcard vtab/pure/*.h)
HEADERS   := $(wildcard vtab/*.h) $(PURE_HDRS)
UNIT_SRCS := $(wildcard test/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/unit/%)

.PHONY: all check-deps check-pure deps test run-test test-matrix run-test-matrix unit demo run-demo bench run-bench fuzz clean \
  static c-examples install uninstall

all: check-deps check-pure $(BUILD)/mysql_vtab.so

# vtab/pure/ must stay pure: no SQLite, no client library.
check-pure:
	@! grep -nE '#include *[<"](sqlite3|sqlite3ext|mysql|mysqlvtab|errmsg)\.h' vtab/pure/*.[ch] \
	  || { echo "mysql_vtab: vtab/pure/ includes SQLite or client headers (above)" >&2; exit 1; }

# Plain `make` installs nothing; it says what is missing.
check-deps:
	@printf '#include <mysql.h>\n#include <sqlite3ext.h>\n#include <zlib.h>\n#include <zstd.h>\n' \
	  | $(CC) $(MARIADB_CFLAGS) -E -x c - >/dev/null 2>&1 || { \
	  echo "mysql_vtab: build dependencies are missing (headers of the MariaDB client," \
	       "SQLite, zlib, zstd): run 'make deps', or 'make test' or 'make demo'," \
	       "which install them" >&2; exit 1; }

$(BUILD)/obj/pure/%.o: vtab/pure/%.c $(PURE_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: vtab/%.c $(HEADERS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MARIADB_CFLAGS) -DMYSQL_VTAB_COMMIT='"$(COMMIT)"' \
	  -DMYSQL_VTAB_CFLAGS='"$(strip $(CFLAGS) $(SANFLAGS))"' -c $< -o $@

$(BUILD)/obj/ext.o: $(BUILD)/commit

$(BUILD)/mysql_vtab.so: $(PURE_OBJS) $(GLUE_OBJS)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $^ $(MARIADB_LIBS) $(LIBS)

$(BUILD)/libmysql_vtab.a: $(PURE_OBJS) $(GLUE_OBJS)
	rm -f $@
	ar rcs $@ $^

# build/core (build/san/core with SANITIZE=1): the objects differ from the
# loadable ones by -DSQLITE_CORE.
static: check-deps check-pure
	@$(MAKE) --no-print-directory SQLITE_CORE=1 BUILD=$(BUILD)/core $(BUILD)/core/libmysql_vtab.a

# examples/from_c.c both ways: loading the shared library, and with the
# static library built in (sqlite3_auto_extension). test/host05.test runs them.
c-examples: $(BUILD)/examples/from_c $(BUILD)/examples/from_c_static
$(BUILD)/examples/from_c: examples/from_c.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -o $@ $< -lsqlite3
$(BUILD)/examples/from_c_static: examples/from_c.c static
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -DMYSQL_VTAB_STATIC -o $@ $< \
	  $(BUILD)/core/libmysql_vtab.a -lsqlite3 $(MARIADB_LIBS) $(LIBS)

$(BUILD)/unit/%: test/unit/%.c $(PURE_OBJS) $(wildcard test/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ivtab/pure -Itest/unit -o $@ $< $(PURE_OBJS) $(LIBS)

unit: $(UNIT_BINS)

deps:
	@test/deps.sh

# test, demo and bench install what is missing, then build in a make of
# their own: the flags above (mariadb_config, the pure/glue split) are read
# when make starts, so on a new machine they must be read after the install.
test: deps
	@$(MAKE) --no-print-directory run-test
run-test: all unit c-examples build/fuzz/fuzz_binlog build/fuzz/mkseeds
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) test/run.sh

# The matrix builds in chroots of its own (test/roots.sh) and runs the live
# suite against MySQL 9.7 and MariaDB 11.8 from there (test/matrix.sh), with
# the host build and its C examples (host05.test) as make test has them.
test-matrix: deps
	@$(MAKE) --no-print-directory run-test-matrix
run-test-matrix: all c-examples
	@test/matrix.sh

demo: deps
	@$(MAKE) --no-print-directory run-demo
run-demo: all
	@examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory run-bench
run-bench: all
	@bench/run.sh

# ---- make fuzz: libFuzzer on the pure decoder (fuzz/), always with clang ----
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fno-omit-frame-pointer -DFUZZ_ABORT_ON_BAD_MSG

build/fuzz/fuzz_binlog: fuzz/fuzz_binlog.c fuzz/fdes.h $(PURE_SRCS) $(HEADERS)
	@command -v $(FUZZ_CC) >/dev/null && test -n "$$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer-*.a' 2>/dev/null)" \
	  || test/deps.sh clang libclang-rt-dev
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ivtab/pure -o $@ fuzz/fuzz_binlog.c $(PURE_SRCS) $(LIBS)

build/fuzz/mkseeds: fuzz/mkseeds.c fuzz/readall.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $< -lz

fuzz: build/fuzz/fuzz_binlog build/fuzz/mkseeds
	@fuzz/run.sh $(FUZZ_TIME)

# The regression test replays crashes through the fuzz harness itself.
$(BUILD)/unit/fuzz_regress_test: fuzz/fuzz_binlog.c fuzz/fdes.h fuzz/readall.h

# ---- make install / uninstall ----
# The shared library as PREFIX/lib/mysql_vtab.so: every host loads it by
# that path without ".so" (SQLite adds it and derives the entry point
# sqlite3_mysqlvtab_init from the name), the sqlite3 shell wrapper as
# PREFIX/bin/mysql-sqlite (it finds ../lib/mysql_vtab.so), the examples in
# PREFIX/share/mysql_vtab/examples. DESTDIR is prepended to every path.
PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL_EXAMPLES := $(wildcard examples/*.sql) $(wildcard examples/from_*) examples/package.json
inst_lib = $(DESTDIR)$(PREFIX)/lib
inst_bin = $(DESTDIR)$(PREFIX)/bin
inst_ex  = $(DESTDIR)$(PREFIX)/share/mysql_vtab/examples

install: all
	install -d $(inst_lib) $(inst_bin) $(inst_ex)
	install -m 644 $(BUILD)/mysql_vtab.so $(inst_lib)/mysql_vtab.so
	install -m 755 shell/mysql-sqlite $(inst_bin)/mysql-sqlite
	install -m 644 $(INSTALL_EXAMPLES) $(inst_ex)/

uninstall:
	rm -f $(inst_lib)/mysql_vtab.so $(inst_bin)/mysql-sqlite
	rm -f $(addprefix $(inst_ex)/,$(notdir $(INSTALL_EXAMPLES)))
	-rmdir $(inst_ex) $(DESTDIR)$(PREFIX)/share/mysql_vtab 2>/dev/null

clean:
	rm -rf build
