# python pruned_retention.py PRUNED LATER...  (used by pruned-chain.sh; needs numpy only)
# Of the weights that are zero in PRUNED, the share still zero in each later checkpoint
# (float tensors, or symmetric 8-bit codes, stored as code + 127), over the weight tensors both hold.
import json, struct, sys
import numpy as np

def read(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n)); body = f.read()
    out = {}
    for name, v in header.items():
        if name == '__metadata__': continue
        raw = body[v['data_offsets'][0]:v['data_offsets'][1]]
        if v['dtype'] == 'F32' and name.endswith('.weight'):
            out[name] = np.frombuffer(raw, dtype='<f4') == 0
        elif v['dtype'] == 'U8' and name.endswith('.weight.codes'):
            out[name[:-len('.codes')]] = np.frombuffer(raw, dtype=np.uint8) == 127  # symmetric 8-bit: codes stored minus the lowest, -127
    return out

pruned = read(sys.argv[1])
for later_path in sys.argv[2:]:
    later = read(later_path)
    names = [n for n in pruned if n in later and later[n].size == pruned[n].size]
    kept = sum(int((pruned[n] & later[n]).sum()) for n in names)
    total = sum(int(pruned[n].sum()) for n in names)
    print(f"{later_path}: {kept}/{total} = {100 * kept / max(total, 1):.3f} % of pruned weights still zero ({', '.join(names)})")
