/* A shared object without lifeline's entry symbol. */
__attribute__((visibility("default"))) int not_a_module(void);
int
not_a_module(void)
{
  return 0;
}
