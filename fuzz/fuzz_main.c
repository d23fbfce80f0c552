/* Makes a fuzz target a plain program: replays each file named on the
 * command line (directories: every file in them) through
 * LLVMFuzzerTestOneInput. Lets any compiler (gcc, no libFuzzer) run the
 * corpus under the sanitizers in the normal test run. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) {
        perror(path);
        return 1;
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        perror(path);
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    replayed++;
    return 0;
}

static int replay(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    if (!(d = opendir(path))) {
        perror(path);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char *child;
        if (e->d_name[0] == '.')
            continue;
        child = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (!child)
            abort();
        sprintf(child, "%s/%s", path, e->d_name);
        rc |= replay(child);
        free(child);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int i, rc = 0;
    for (i = 1; i < argc; i++)
        rc |= replay(argv[i]);
    printf("%s: replayed %lu inputs\n", argc > 0 ? argv[0] : "fuzz",
           replayed);
    return rc;
}
