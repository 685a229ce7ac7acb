/* cli.h — the commands of the newsgraph binary, one file each. */
#ifndef NG_CLI_H
#define NG_CLI_H
#include "newsgraph.h"

/* Each takes argv with argv[0] = the command's name; returns the exit status:
 * 0 all articles processed, 1 some refused, 2 usage error. */
int cmd_analyze(int argc, char **argv);
/* `model info FILE`, `model dump FILE` (model.c). */
int cmd_model(int argc, char **argv);
/* `ingest --db FILE PATH...` (ingest.c), `export --db FILE` (export.c):
 * the knowledge base. */
int cmd_ingest(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* `timeline`, `entity`, `stories`, `search`, `quotes` over a knowledge base (query.c). */
int cmd_timeline(int argc, char **argv);
int cmd_entity(int argc, char **argv);
int cmd_stories(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_quotes(int argc, char **argv);
/* `events --db FILE [--entity E] [--code ROOT]`: events merged across articles (query.c). */
int cmd_events(int argc, char **argv);
/* `serve --db FILE [--port N] [--listen ADDR]`: the web page and its JSON API (serve.c). */
int cmd_serve(int argc, char **argv);

#endif
