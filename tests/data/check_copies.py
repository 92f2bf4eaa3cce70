#!/usr/bin/env python3
"""check_copies.py SOURCE_ROOT — the data the tests read (tests/data) against the reference
material beside the checkout (../shared), when it is there.

conformance.tsv must start with the spec's file byte for byte (the project's own rows follow
after '# project rows'); the corpora must be identical.  Without ../shared: SKIP (77).
"""
import os
import sys

root = sys.argv[1]
shared = os.path.join(root, '..', 'shared')
pairs = [('spec/conformance.tsv', 'conformance.tsv', 'prefix'),
         ('corpus/bench_expr.txt', 'bench_expr.txt', 'same'),
         ('corpus/bench_expr_weird.txt', 'bench_expr_weird.txt', 'same')]
if not os.path.isdir(shared):
    print(f'no {shared}: nothing to compare the copies with')
    sys.exit(77)
failed = False
for ref, copy, how in pairs:
    ref_path, copy_path = os.path.join(shared, ref), os.path.join(root, 'tests', 'data', copy)
    if not os.path.exists(ref_path):
        print(f'{ref_path}: missing, not compared')
        continue
    want = open(ref_path, 'rb').read()
    have = open(copy_path, 'rb').read()
    if how == 'same' and have != want:
        print(f'{copy_path} differs from {ref_path}: copy it again')
        failed = True
    elif how == 'prefix':
        mark = have.find(b'\n# project rows')
        head = have if mark < 0 else have[:mark + 1]
        if head != want:
            print(f'{copy_path} does not start with {ref_path}: the spec changed; copy it again '
                  '(the project rows stay after "# project rows")')
            failed = True
    if not failed:
        print(f'{copy_path}: matches {ref_path}')
sys.exit(1 if failed else 0)
