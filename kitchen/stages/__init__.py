"""Built-in stages, one per module."""

from kitchen.stages.build_dataset import BuildDataset
from kitchen.stages.cleanup import Cleanup
from kitchen.stages.evaluate import Evaluate
from kitchen.stages.forward_backward import ForwardBackward
from kitchen.stages.get_batch import GetBatch
from kitchen.stages.init_session import InitSession
from kitchen.stages.init_tokenizer import InitTokenizer
from kitchen.stages.load_dataset import LoadDataset
from kitchen.stages.log_epoch_metrics import LogEpochMetrics
from kitchen.stages.log_step_metrics import LogStepMetrics
from kitchen.stages.optim_step import OptimStep
from kitchen.stages.predicates import batches_this_epoch, every_n_epochs
from kitchen.stages.register_model import RegisterModel
from kitchen.stages.save_checkpoint import SaveCheckpoint
from kitchen.stages.save_final import SaveFinal
from kitchen.stages.set_epoch import SetEpoch

__all__ = [
    "BuildDataset",
    "Cleanup",
    "Evaluate",
    "ForwardBackward",
    "GetBatch",
    "InitSession",
    "InitTokenizer",
    "LoadDataset",
    "LogEpochMetrics",
    "LogStepMetrics",
    "OptimStep",
    "RegisterModel",
    "SaveCheckpoint",
    "SaveFinal",
    "SetEpoch",
    "batches_this_epoch",
    "every_n_epochs",
]
