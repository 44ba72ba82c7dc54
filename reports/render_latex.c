/* render_latex.c -- LaTeX tables for papers (booktabs), optionally a standalone document.
 *
 * One table environment per ob_table with \toprule/\midrule/\bottomrule
 * (booktabs), the best value of a column in \textbf and a significantly worse
 * one marked $^{*}$ (COCO's convention of marking significance in tables).
 * Wide tables are scaled to \linewidth with graphicx's \resizebox. Without
 * --standalone the output is a fragment to \input, needing
 * \usepackage{booktabs,graphicx}; with it, a complete article that pdflatex
 * compiles (tested when pdflatex is installed).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "reports/render.h"

/* Writes s with LaTeX's special characters escaped. */
static void tex_text(FILE *f, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '\\': fputs("\\textbackslash{}", f); break;
    case '_': case '%': case '&': case '#': case '$': case '{': case '}': fputc('\\', f); fputc(*s, f); break;
    case '~': fputs("\\textasciitilde{}", f); break;
    case '^': fputs("\\textasciicircum{}", f); break;
    case '<':
      if (s[1] == '=') { fputs("$\\leq$", f); s++; }
      else fputs("$<$", f);
      break;
    case '>': fputs("$>$", f); break;
    case '|': fputs("$|$", f); break;
    default: fputc(*s, f);
    }
  }
}

static void tex_table(FILE *f, const ob_table *t)
{
  fputs("\\begin{table}[htbp]\n\\centering\n\\caption{", f);
  tex_text(f, t->title);
  fputs("}\n\\resizebox{\\linewidth}{!}{%\n\\begin{tabular}{", f);
  for (size_t c = 0; c < t->ncols; c++) fputc(t->nrows && (t->cell[c].flags & OB_CELL_TEXT) ? 'l' : 'r', f);
  fputs("}\n\\toprule\n", f);
  for (size_t c = 0; c < t->ncols; c++) {
    if (c) fputs(" & ", f);
    tex_text(f, t->head[c]);
  }
  fputs(" \\\\\n\\midrule\n", f);
  for (size_t r = 0; r < t->nrows; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      const ob_cell *x = &t->cell[r * t->ncols + c];
      if (c) fputs(" & ", f);
      if (x->flags & OB_CELL_BEST) fputs("\\textbf{", f);
      tex_text(f, x->text);
      if (x->flags & OB_CELL_BEST) fputc('}', f);
      if (x->flags & OB_CELL_WORSE) fputs("$^{*}$", f);
    }
    fputs(" \\\\\n", f);
  }
  fputs("\\bottomrule\n\\end{tabular}}\n", f);
  if (t->note[0]) {
    fputs("\\par\\smallskip\\footnotesize ", f);
    tex_text(f, t->note);
    fputc('\n', f);
  }
  fputs("\\end{table}\n\n", f);
}

int ob_render_latex(FILE *f, const ob_report *r, const ob_agg *a, int standalone)
{
  if (standalone)
    fputs("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n"
          "\\begin{document}\n\n", f);
  else
    fputs("% optbench report: needs \\usepackage{booktabs} and \\usepackage{graphicx}\n", f);
  fprintf(f, "%% %zu runs of %zu problems and %zu optimizers from", r->nruns, a->nprob, a->nopt);
  for (size_t k = 0; k < r->nfiles; k++) fprintf(f, " %s", r->files[k]);
  fputs("\n\n", f);
  for (size_t i = a->nprob; i < a->nprob + 2 && i < a->ntables; i++) tex_table(f, &a->table[i]);
  for (size_t i = 0; i < a->nprob; i++) tex_table(f, &a->table[i]);
  if (a->seq_table < a->ntables) tex_table(f, &a->table[a->seq_table]);
  if (a->hg_table < a->ntables) tex_table(f, &a->table[a->hg_table]);
  if (a->placement_table < a->ntables) tex_table(f, &a->table[a->placement_table]);
  if (standalone) fputs("\\end{document}\n", f);
  return ferror(f) ? -1 : 0;
}
