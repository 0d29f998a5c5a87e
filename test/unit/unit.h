/*
** unit.h — minimal C unit-test macros. Each test program ends with
** UNIT_DONE(), which prints "N passed, N failed" and exits non-zero on any
** failure; test/run.sh adds the counts up.
*/
#ifndef MV_UNIT_H
#define MV_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do{ \
  if( cond ){ unit_pass++; } \
  else{ unit_fail++; printf("! %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } \
}while(0)

/* Compare a string result with the expected text exactly. */
#define CHECK_STR(got, want) do{ \
  const char *g_ = (got), *w_ = (want); \
  if( g_ && w_ && strcmp(g_, w_)==0 ){ unit_pass++; } \
  else{ unit_fail++; printf("! %s:%d: expected [%s]\n!   got      [%s]\n", \
                           __FILE__, __LINE__, w_ ? w_ : "(null)", g_ ? g_ : "(null)"); } \
}while(0)

#define UNIT_DONE() do{ \
  printf("%d passed, %d failed\n", unit_pass, unit_fail); \
  return unit_fail ? 1 : 0; \
}while(0)

#endif /* MV_UNIT_H */
