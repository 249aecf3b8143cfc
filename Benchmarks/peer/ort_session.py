"""The ONNX Runtime session every peer script runs Swiftlet's exports in: the CPU execution
provider, `threads` intra-op threads and one inter-op thread (sequential), all graph
optimisations on — the settings a deployer would pick, and the same in every script so their
figures compare."""
import sys

import onnxruntime as ort


def session(path, threads, optimized=None):
    """An inference session for the ONNX file `path`; with `optimized`, ONNX Runtime also
    saves the graph it runs after its optimisations there."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: saving the optimised graph warns that it is machine-specific
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if optimized:
        options.optimized_model_filepath = optimized
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def run_reporting_errors(main, script):
    """Runs `main`; an exception becomes one line on stderr ("script: Type: message") and exit
    status 1, as the Swift side reports it."""
    try:
        main()
    except Exception as error:
        print(f"{script}: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
