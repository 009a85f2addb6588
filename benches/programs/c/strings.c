/* str(i) for i < 1,000,000 into an array, joined; length and middle char — peer of benches/programs/strings.em */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    int n = 1000000;
    char **parts = malloc(sizeof(char *) * n);
    size_t *lens = malloc(sizeof(size_t) * n);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        char buf[24];
        int l = snprintf(buf, sizeof buf, "%d", i);
        parts[i] = malloc(l + 1);
        memcpy(parts[i], buf, l + 1);
        lens[i] = l;
        total += l;
    }
    char *s = malloc(total + 1);
    size_t k = 0;
    for (int i = 0; i < n; i++) { memcpy(s + k, parts[i], lens[i]); k += lens[i]; }
    s[k] = 0;
    size_t mid = total / 2;
    printf("%zu\n%c\n", total, s[mid]);
    for (int i = 0; i < n; i++) free(parts[i]);
    free(parts); free(lens); free(s);
    return 0;
}
