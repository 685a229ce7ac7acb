/*
 * main.c — the newsgraph command line: dispatches to one file per command.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph COMMAND [OPTIONS] ...\n"
            "\n"
            "commands:\n"
            "  analyze PATH...   read articles, write one JSON record per article (JSON Lines)\n"
            "  ingest --db FILE PATH...  analyze articles into a knowledge base\n"
            "  export --db FILE  write the knowledge base as one JSON object\n"
            "  timeline --db FILE ENTITY|--story N  articles about it, in time order\n"
            "  entity --db FILE NAME  an entity's aliases, counterparts, quotes, timeline\n"
            "  stories --db FILE  the largest stories;  search --db FILE QUERY  full text\n"
            "  quotes --db FILE [--by NAME]  quotes, oldest first\n"
            "  events --db FILE [--entity E] [--code ROOT]  events merged across articles\n"
            "  serve --db FILE [--port N]  a web page over the knowledge base (read-only)\n"
            "  model info|dump FILE  describe a trained model file\n"
            "  version           print the version\n"
            "\n"
            "'newsgraph COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "ingest") == 0)
        return cmd_ingest(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "timeline") == 0)
        return cmd_timeline(argc - 1, argv + 1);
    if (strcmp(cmd, "entity") == 0)
        return cmd_entity(argc - 1, argv + 1);
    if (strcmp(cmd, "stories") == 0)
        return cmd_stories(argc - 1, argv + 1);
    if (strcmp(cmd, "search") == 0)
        return cmd_search(argc - 1, argv + 1);
    if (strcmp(cmd, "quotes") == 0)
        return cmd_quotes(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0)
        return cmd_events(argc - 1, argv + 1);
    if (strcmp(cmd, "model") == 0)
        return cmd_model(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("newsgraph %s\n", NG_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "newsgraph: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
