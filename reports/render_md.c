/* render_md.c -- the Markdown report (the default format of `optbench report`).
 *
 * GitHub-flavoured tables: labels left-aligned, numbers right-aligned; the best
 * value of a column in **bold**, a significantly worse one followed by \*.
 * Order: inputs, summary, ECDF, one table per problem, sequence problems (when
 * any run has final.sequence), bilevel problems (when any run has
 * evals.bilevel), placements. Output is a
 * pure function of the inputs (no dates, no absolute paths), so it is golden-tested.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "reports/render.h"

/* Writes s with the characters that would break a table cell escaped. */
static void md_text(FILE *f, const char *s)
{
  for (; *s; s++) {
    if (*s == '|' || *s == '*' || *s == '_' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
}

static void md_table(FILE *f, const ob_table *t)
{
  fputs("## ", f);
  md_text(f, t->title);
  fputs("\n\n|", f);
  for (size_t c = 0; c < t->ncols; c++) {
    fputc(' ', f);
    md_text(f, t->head[c]);
    fputs(" |", f);
  }
  fputs("\n|", f);
  for (size_t c = 0; c < t->ncols; c++)
    fputs(t->nrows && (t->cell[c].flags & OB_CELL_TEXT) ? " --- |" : " ---: |", f);
  fputc('\n', f);
  for (size_t r = 0; r < t->nrows; r++) {
    fputc('|', f);
    for (size_t c = 0; c < t->ncols; c++) {
      const ob_cell *x = &t->cell[r * t->ncols + c];
      fputc(' ', f);
      if (x->flags & OB_CELL_BEST) fputs("**", f);
      md_text(f, x->text);
      if (x->flags & OB_CELL_BEST) fputs("**", f);
      if (x->flags & OB_CELL_WORSE) fputs("\\*", f);
      fputs(" |", f);
    }
    fputc('\n', f);
  }
  if (t->note[0]) {
    fputs("\n", f);
    md_text(f, t->note);
    fputc('\n', f);
  }
  fputc('\n', f);
}

int ob_render_md(FILE *f, const ob_report *r, const ob_agg *a)
{
  fputs("# optbench report\n\n", f);
  fprintf(f, "%zu runs of %zu problem%s and %zu optimizer%s from ", r->nruns, a->nprob, a->nprob == 1 ? "" : "s",
          a->nopt, a->nopt == 1 ? "" : "s");
  for (size_t k = 0; k < r->nfiles; k++) {
    fprintf(f, "%s`", k == 0 ? "" : k + 1 == r->nfiles ? " and " : ", ");
    fputs(r->files[k], f);
    fputc('`', f);
  }
  if (r->nduplicates) fprintf(f, " (%zu identical duplicates dropped)", r->nduplicates);
  fputs(".\n\n", f);
  for (size_t i = a->nprob; i < a->nprob + 2 && i < a->ntables; i++) md_table(f, &a->table[i]);
  for (size_t i = 0; i < a->nprob; i++) md_table(f, &a->table[i]);
  if (a->seq_table < a->ntables) md_table(f, &a->table[a->seq_table]);
  if (a->hg_table < a->ntables) md_table(f, &a->table[a->hg_table]);
  if (a->placement_table < a->ntables) md_table(f, &a->table[a->placement_table]);
  return ferror(f) ? -1 : 0;
}
