/* context.h -- the results' "context" block: where and how the numbers were made.
 *
 * Date, CPU model, core count, NUMA layout, kernel, compiler and flags,
 * library versions, THP mode and the command line: what a reader of a results
 * file needs to judge whether two files are comparable.
 */
#ifndef OB_CONTEXT_H
#define OB_CONTEXT_H

#include <jansson.h>

/* A new context object; `command` is the command line as typed. */
json_t *ob_context_json(const char *command);
/* The "tool" block: {"name", "version", "git"}. */
json_t *ob_tool_json(void);

#endif
