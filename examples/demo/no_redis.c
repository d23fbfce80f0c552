/* sse-server built without hiredis: --redis says so; everything else runs
 * in memory. (redis_feed.c is the real thing.) */
#include <stdio.h>

#include "server.h"

int redis_setup(struct server *s)
{
    (void)s;
    fprintf(stderr, "sse-server: built without Redis support (hiredis was "
                    "not found when it was built); --redis is not available\n");
    return -1;
}

void redis_teardown(struct server *s)
{
    (void)s;
}

void redis_publish_due(struct server *s)
{
    (void)s;
}

int redis_following(const struct server *s)
{
    (void)s;
    return 1;
}

int redis_expired(const struct server *s, const char *id, size_t len)
{
    (void)s, (void)id, (void)len;
    return 0;
}

int redis_ahead(const struct server *s, const char *id, size_t len)
{
    (void)s, (void)id, (void)len;
    return 0;
}
