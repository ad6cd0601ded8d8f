# The same kernels (interpreter, hash table, sorting, text scanning, a
# vectorisable loop, recursion) built in every compiler flavor, to compare
# optimisation levels and flags with significance.
optlevels_SRCS := hash.c interp.c recurse.c sort.c text.c vector.c
optlevels_FLAVORS := $(GCC_FLAVORS) $(CLANG_FLAVORS)
# Kernels set up in microseconds: repetitions interleave in random order.
optlevels_INTERLEAVE := yes
