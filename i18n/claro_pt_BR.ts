<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>Claro</name>
    <message>
        <source>chosen in settings</source>
        <translation>escolhido nas configurações</translation>
    </message>
    <message>
        <source>created by Claro</source>
        <translation>criado pelo Claro</translation>
    </message>
    <message>
        <source>development checkout</source>
        <translation>cópia de desenvolvimento</translation>
    </message>
    <message>
        <source>found on PATH</source>
        <translation>encontrado no PATH</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; does not exist.</source>
        <translation>O Python '{}' não existe.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; did not answer within {} s.</source>
        <translation>O Python '{}' não respondeu em {} s.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; could not be started ({}).</source>
        <translation>Não foi possível iniciar o Python '{}' ({}).</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; failed to start ({}).</source>
        <translation>O Python '{}' falhou ao iniciar ({}).</translation>
    </message>
    <message>
        <source>Python {}</source>
        <translation>Python {}</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>Somente CPU</translation>
    </message>
    <message>
        <source>TensorFlow {} on {}</source>
        <translation>TensorFlow {} em {}</translation>
    </message>
    <message>
        <source>No TensorFlow: create a TensorFlow environment or choose another Python.</source>
        <translation>Sem TensorFlow: crie um ambiente TensorFlow ou escolha outro Python.</translation>
    </message>
    <message>
        <source>no numpy</source>
        <translation>sem numpy</translation>
    </message>
    <message>
        <source>no GDAL Python bindings</source>
        <translation>sem as bibliotecas Python do GDAL</translation>
    </message>
    <message>
        <source>Creating the environment</source>
        <translation>Criando o ambiente</translation>
    </message>
    <message>
        <source>Updating pip</source>
        <translation>Atualizando o pip</translation>
    </message>
    <message>
        <source>Installing {} (a large download)</source>
        <translation>Instalando {} (um download grande)</translation>
    </message>
    <message>
        <source>Checking the environment</source>
        <translation>Verificando o ambiente</translation>
    </message>
    <message>
        <source>Create TensorFlow environment</source>
        <translation>Criar ambiente TensorFlow</translation>
    </message>
    <message>
        <source>{} failed: {}</source>
        <translation>{} falhou: {}</translation>
    </message>
    <message>
        <source>{} failed (exit code {}); see the log {}.</source>
        <translation>{} falhou (código de saída {}); veja o log {}.</translation>
    </message>
    <message>
        <source>Creating the environment failed; see the log {}.</source>
        <translation>A criação do ambiente falhou; veja o log {}.</translation>
    </message>
    <message>
        <source>Checking the TensorFlow Python</source>
        <translation>Verificando o Python com TensorFlow</translation>
    </message>
    <message>
        <source>The check was cancelled.</source>
        <translation>A verificação foi cancelada.</translation>
    </message>
    <message>
        <source>&apos;{}&apos; is not a comma-separated list of numbers.</source>
        <translation>'{}' não é uma lista de números separados por vírgulas.</translation>
    </message>
    <message>
        <source>&apos;{}&apos; needs exactly {} comma-separated values.</source>
        <translation>'{}' precisa de exatamente {} valores separados por vírgulas.</translation>
    </message>
    <message>
        <source>default</source>
        <translation>padrão</translation>
    </message>
    <message>
        <source>QGIS could not open {}; the file may be damaged.</source>
        <translation>O QGIS não conseguiu abrir {}; o arquivo pode estar corrompido.</translation>
    </message>
    <message>
        <source>{} has no class list (no model card and no .qml beside it).</source>
        <translation>{} não tem lista de classes (nem ficha do modelo nem um .qml ao lado).</translation>
    </message>
    <message>
        <source>{} (probability of {})</source>
        <translation>{} (probabilidade de {})</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>Cancelado; nada foi gravado.</translation>
    </message>
    <message>
        <source>The job failed; see the log.</source>
        <translation>O processamento falhou; veja o log.</translation>
    </message>
    <message>
        <source>The layer '{}' is a web layer; save it as a GeoTIFF first (right-click &gt; Export &gt; Save As…) and use that.</source>
        <translation>A camada '{}' é uma camada web; salve-a primeiro como GeoTIFF (botão direito &gt; Exportar &gt; Salvar como…) e use esse arquivo.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be read for export.</source>
        <translation>Não foi possível ler a camada '{}' para exportá-la.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be saved as a GeoTIFF (error {}).</source>
        <translation>Não foi possível salvar a camada '{}' como GeoTIFF (erro {}).</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; could not be saved as a GeoPackage ({}).</source>
        <translation>Não foi possível salvar a camada '{}' como GeoPackage ({}).</translation>
    </message>
    <message>
        <source>No layer was chosen.</source>
        <translation>Nenhuma camada foi escolhida.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is not a polygon layer; draw labels as polygons.</source>
        <translation>A camada '{}' não é uma camada de polígonos; desenhe os rótulos como polígonos.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is neither a raster nor a vector layer.</source>
        <translation>A camada '{}' não é nem raster nem vetorial.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; has no field &apos;{}&apos;.</source>
        <translation>A camada '{}' não tem o campo '{}'.</translation>
    </message>
    <message>
        <source>The field &apos;{}&apos; holds &apos;{}&apos;: class values must be whole numbers.</source>
        <translation>O campo '{}' contém '{}': os valores de classe devem ser números inteiros.</translation>
    </message>
    <message>
        <source>The field &apos;{}&apos; holds {}: class values must be whole numbers.</source>
        <translation>O campo '{}' contém {}: os valores de classe devem ser números inteiros.</translation>
    </message>
    <message>
        <source>Background &apos;{}&apos; must be a class value or &apos;ignore&apos;.</source>
        <translation>O fundo '{}' deve ser um valor de classe ou 'ignore'.</translation>
    </message>
    <message>
        <source>{} must be {} values separated by commas, not &apos;{}&apos;.</source>
        <translation>{} deve conter valores {} separados por vírgulas, não '{}'.</translation>
    </message>
    <message>
        <source>whole-number</source>
        <translation>inteiros</translation>
    </message>
    <message>
        <source>numeric</source>
        <translation>numéricos</translation>
    </message>
    <message>
        <source>{} needs exactly {} values separated by commas, not &apos;{}&apos;.</source>
        <translation>{} precisa de exatamente {} valores separados por vírgulas, não '{}'.</translation>
    </message>
    <message>
        <source>{}: the raster could not be opened.</source>
        <translation>{}: não foi possível abrir o raster.</translation>
    </message>
    <message>
        <source>{}: '{}' is not a raster file (it comes from '{}'); save it as a GeoTIFF first (Raster ▸ Conversion ▸ Translate) and use that.</source>
        <translation>{}: '{}' não é um arquivo raster (vem de '{}'); salve-o primeiro como GeoTIFF (Raster ▸ Converter ▸ Traduzir) e use esse arquivo.</translation>
    </message>
    <message>
        <source>{}: the layer could not be opened.</source>
        <translation>{}: não foi possível abrir a camada.</translation>
    </message>
    <message>
        <source>{}: &apos;{}&apos; is neither a raster nor a vector layer.</source>
        <translation>{}: '{}' não é nem uma camada raster nem vetorial.</translation>
    </message>
    <message>
        <source>deep learning</source>
        <translation>aprendizado profundo</translation>
    </message>
    <message>
        <source>segmentation</source>
        <translation>segmentação</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>classificação</translation>
    </message>
    <message>
        <source>forest</source>
        <translation>floresta</translation>
    </message>
    <message>
        <source>deforestation</source>
        <translation>desmatamento</translation>
    </message>
    <message>
        <source>Runs in the Python with TensorFlow chosen in Claro&apos;s dock (Environment); existing outputs are replaced.</source>
        <translation>É executado no Python com TensorFlow escolhido no painel do Claro (Ambiente); saídas existentes são substituídas.</translation>
    </message>
    <message>
        <source>Epoch {} of {}: {}</source>
        <translation>Época {} de {}: {}</translation>
    </message>
    <message>
        <source>Finished: {}</source>
        <translation>Concluído: {}</translation>
    </message>
    <message>
        <source>Details: {}</source>
        <translation>Detalhes: {}</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Perda</translation>
    </message>
    <message>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <source>no epochs yet</source>
        <translation>nenhuma época ainda</translation>
    </message>
    <message>
        <source>epoch {}</source>
        <translation>época {}</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Cor</translation>
    </message>
    <message>
        <source>Claro</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Treinar</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predizer</translation>
    </message>
    <message>
        <source>The image raster to learn from (satellite or aerial; any band count).</source>
        <translation>O raster de imagem usado no aprendizado (de satélite ou aéreo; qualquer número de bandas).</translation>
    </message>
    <message>
        <source>Image layer</source>
        <translation>Camada de imagem</translation>
    </message>
    <message>
        <source>Label layer</source>
        <translation>Camada de rótulos</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>Avançado</translation>
    </message>
    <message>
        <source>Cut the training data into patches, then train the U-Net.</source>
        <translation>Recorta os dados de treinamento em patches e depois treina a U-Net.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Stop the running job; nothing half-written is left.</source>
        <translation>Interrompe o processamento em andamento; nada fica gravado pela metade.</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Resultados</translation>
    </message>
    <message>
        <source>Raster layer</source>
        <translation>Camada raster</translation>
    </message>
    <message>
        <source>Choose a model file to see its bands and classes.</source>
        <translation>Escolha um arquivo de modelo para ver suas bandas e classes.</translation>
    </message>
    <message>
        <source>Classify the raster with the model and add the result as a layer.</source>
        <translation>Classifica o raster com o modelo e adiciona o resultado como camada.</translation>
    </message>
    <message>
        <source>The Python that runs TensorFlow (any venv or conda environment with TensorFlow 2.21 and GDAL). Empty: found automatically.</source>
        <translation>O Python que executa o TensorFlow (qualquer ambiente venv ou conda com TensorFlow 2.21 e GDAL). Vazio: encontrado automaticamente.</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>Ainda não verificado.</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <source>Start this Python and report its TensorFlow version and devices.</source>
        <translation>Inicia este Python e informa sua versão do TensorFlow e seus dispositivos.</translation>
    </message>
    <message>
        <source>Make a Python environment in the QGIS profile and install TensorFlow into it (a download of several hundred MB).</source>
        <translation>Cria um ambiente Python no perfil do QGIS e instala o TensorFlow nele (um download de várias centenas de MB).</translation>
    </message>
    <message>
        <source>With an NVIDIA GPU and driver, the environment gets TensorFlow&apos;s GPU build.</source>
        <translation>Com uma GPU NVIDIA e seu driver, o ambiente recebe a versão do TensorFlow para GPU.</translation>
    </message>
    <message>
        <source>Installation log</source>
        <translation>Log de instalação</translation>
    </message>
    <message>
        <source>Choose where to save the model (Model file) in Train.</source>
        <translation>Escolha onde salvar o modelo (Arquivo do modelo) em Treinar.</translation>
    </message>
    <message>
        <source>A Claro job is already running; wait for it or cancel it.</source>
        <translation>Um processamento do Claro já está em andamento; aguarde ou cancele-o.</translation>
    </message>
    <message>
        <source>Cutting patches…</source>
        <translation>Recortando patches…</translation>
    </message>
    <message>
        <source>Claro: train {}</source>
        <translation>Claro: treinar {}</translation>
    </message>
    <message>
        <source>Started: {}</source>
        <translation>Iniciado: {}</translation>
    </message>
    <message>
        <source>Epoch {}/{}</source>
        <translation>Época {}/{}</translation>
    </message>
    <message>
        <source>Model saved: {}</source>
        <translation>Modelo salvo: {}</translation>
    </message>
    <message>
        <source>Training finished: {}</source>
        <translation>Treinamento concluído: {}</translation>
    </message>
    <message>
        <source>Log: {}</source>
        <translation>Log: {}</translation>
    </message>
    <message>
        <source>Choose a model file in Predict.</source>
        <translation>Escolha um arquivo de modelo em Predizer.</translation>
    </message>
    <message>
        <source>Choose where to write the class raster in Predict.</source>
        <translation>Escolha onde gravar o raster de classes em Predizer.</translation>
    </message>
    <message>
        <source>Predicting…</source>
        <translation>Predizendo…</translation>
    </message>
    <message>
        <source>Claro: predict {}</source>
        <translation>Claro: predizer {}</translation>
    </message>
    <message>
        <source>Written: {}</source>
        <translation>Gravado: {}</translation>
    </message>
    <message>
        <source>Prediction added as layer &apos;{}&apos;.</source>
        <translation>Predição adicionada como camada '{}'.</translation>
    </message>
    <message>
        <source>Checking {}…</source>
        <translation>Verificando {}…</translation>
    </message>
    <message>
        <source>TensorFlow environment ready: {}</source>
        <translation>Ambiente TensorFlow pronto: {}</translation>
    </message>
    <message>
        <source>Claro: deep-learning segmentation</source>
        <translation>Claro: segmentação com aprendizado profundo</translation>
    </message>
    <message>
        <source>Show the Claro dock: train a U-Net on your layers and map the result</source>
        <translation>Mostra o painel do Claro: treine uma U-Net com suas camadas e mapeie o resultado</translation>
    </message>
    <message>
        <source>Claro {}: U-Net segmentation for forest monitoring</source>
        <translation>Claro {}: segmentação U-Net para monitoramento florestal</translation>
    </message>
    <message>
        <source>Cancelled: {}</source>
        <translation>Cancelado: {}</translation>
    </message>
    <message>
        <source>Keras model (*.keras)</source>
        <translation>Modelo Keras (*.keras)</translation>
    </message>
    <message>
        <source>JSON report (*.json)</source>
        <translation>Relatório JSON (*.json)</translation>
    </message>
    <message>
        <source>Build patch dataset</source>
        <translation>Gerar conjunto de patches</translation>
    </message>
    <message>
        <source>Train U-Net</source>
        <translation>Treinar U-Net</translation>
    </message>
    <message>
        <source>Classify raster (predict)</source>
        <translation>Classificar raster (predizer)</translation>
    </message>
    <message>
        <source>Evaluate class raster</source>
        <translation>Avaliar raster de classes</translation>
    </message>
    <message>
        <source>Training patches</source>
        <translation>Patches de treinamento</translation>
    </message>
    <message>
        <source>Validation patches</source>
        <translation>Patches de validação</translation>
    </message>
    <message>
        <source>Test patches</source>
        <translation>Patches de teste</translation>
    </message>
    <message>
        <source>Epochs run</source>
        <translation>Épocas executadas</translation>
    </message>
    <message>
        <source>Best epoch</source>
        <translation>Melhor época</translation>
    </message>
    <message>
        <source>Mean IoU on the validation patches</source>
        <translation>IoU média nos patches de validação</translation>
    </message>
    <message>
        <source>Mean IoU on the test patches</source>
        <translation>IoU média nos patches de teste</translation>
    </message>
    <message>
        <source>Pixels classified</source>
        <translation>Pixels classificados</translation>
    </message>
    <message>
        <source>Overall accuracy</source>
        <translation>Acurácia global</translation>
    </message>
    <message>
        <source>Mean IoU</source>
        <translation>IoU média</translation>
    </message>
    <message>
        <source>Pixels compared</source>
        <translation>Pixels comparados</translation>
    </message>
    <message>
        <source>The TensorFlow Python stopped with exit code {}{}; see the log {} for details.</source>
        <translation>O Python com TensorFlow parou com o código de saída {}{}; veja o log {} para mais detalhes.</translation>
    </message>
    <message>
        <source>The job was cancelled before it started.</source>
        <translation>O processamento foi cancelado antes de começar.</translation>
    </message>
    <message>
        <source>Stop the running job; nothing half-written is left. A training keeps its best model so far and can be resumed (Resume).</source>
        <translation>Interrompe o trabalho em andamento; nada fica escrito pela metade. Um treinamento mantém o melhor modelo até o momento e pode ser retomado (Retomar).</translation>
    </message>
    <message>
        <source>Reading label values…</source>
        <translation>Lendo os valores dos rótulos…</translation>
    </message>
    <message>
        <source>Reading the label values was cancelled.</source>
        <translation>A leitura dos valores dos rótulos foi cancelada.</translation>
    </message>
    <message>
        <source>Classes from {:.0%} of the label raster; reading the rest…</source>
        <translation>Classes de {:.0%} do raster de rótulos; lendo o restante…</translation>
    </message>
    <message>
        <source>Patches: train {}, validation {}, test {}</source>
        <translation>Patches: treino {}, validação {}, teste {}</translation>
    </message>
    <message>
        <source>Claro: reading label values</source>
        <translation>Claro: lendo os valores dos rótulos</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found; create one or choose one in Claro&apos;s dock (Setup tab), then run the algorithm again.</source>
        <translation>Nenhum Python com TensorFlow foi encontrado; crie um ou escolha um no painel do Claro (aba Configuração) e execute o algoritmo novamente.</translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>Criar…</translation>
    </message>
    <message>
        <source>Create a TensorFlow environment for Claro (asks before downloading).</source>
        <translation>Cria um ambiente TensorFlow para o Claro (pergunta antes de baixar).</translation>
    </message>
    <message>
        <source>Choose a Python…</source>
        <translation>Escolher um Python…</translation>
    </message>
    <message>
        <source>Use a Python you already have with TensorFlow and GDAL.</source>
        <translation>Usa um Python com TensorFlow e GDAL que você já tem.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalhes</translation>
    </message>
    <message>
        <source>The Python interpreter &apos;{}&apos; does not exist; choose the Python with TensorFlow in Claro&apos;s Setup tab (or create one there).</source>
        <translation>O interpretador Python '{}' não existe; escolha o Python com TensorFlow na aba Configuração do Claro (ou crie um lá).</translation>
    </message>
    <message>
        <source>Could not start &apos;{}&apos; ({}); choose another Python in Claro&apos;s Setup tab.</source>
        <translation>Não foi possível iniciar '{}' ({}); escolha outro Python na aba Configuração do Claro.</translation>
    </message>
    <message>
        <source>The job&apos;s Python process did not start; see its log {}.</source>
        <translation>O processo Python do trabalho não iniciou; veja o log {}.</translation>
    </message>
    <message>
        <source>IoU of the target class ({})</source>
        <translation>IoU da classe-alvo ({})</translation>
    </message>
    <message>
        <source>mean IoU of the {} classes</source>
        <translation>IoU média das {} classes</translation>
    </message>
    <message>
        <source>Target IoU</source>
        <translation>IoU da classe-alvo</translation>
    </message>
    <message>
        <source>training</source>
        <translation>treinamento</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validação</translation>
    </message>
    <message>
        <source>No Python with TensorFlow and GDAL was found, so Claro cannot train or predict yet.</source>
        <translation>Nenhum Python com TensorFlow e GDAL foi encontrado, então o Claro ainda não pode treinar nem predizer.</translation>
    </message>
    <message>
        <source>Class values found in the labels; give each a name and a colour. The model, the legend and the style of the results use them. Remove a class (Delete key or right-click) to leave it out: its pixels are then ignored in training, like unlabelled pixels.</source>
        <translation>Valores de classe encontrados nos rótulos; dê a cada um um nome e uma cor. O modelo, a legenda e o estilo dos resultados os usam. Remova uma classe (tecla Delete ou botão direito) para deixá-la de fora: seus pixels passam a ser ignorados no treinamento, como os pixels sem rótulo.</translation>
    </message>
    <message>
        <source>Remove class</source>
        <translation>Remover classe</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Dados</translation>
    </message>
    <message>
        <source>Training data: the image, the labels and the classes</source>
        <translation>Dados de treinamento: a imagem, os rótulos e as classes</translation>
    </message>
    <message>
        <source>Train a U-Net on the training data</source>
        <translation>Treina uma U-Net com os dados de treinamento</translation>
    </message>
    <message>
        <source>Classify a raster with a trained model</source>
        <translation>Classifica um raster com um modelo treinado</translation>
    </message>
    <message>
        <source>Setup</source>
        <translation>Configuração</translation>
    </message>
    <message>
        <source>The Python environment with TensorFlow that runs the jobs</source>
        <translation>O ambiente Python com TensorFlow que executa os processamentos</translation>
    </message>
    <message>
        <source>Cut patches from layers</source>
        <translation>Recortar das camadas</translation>
    </message>
    <message>
        <source>Cut the scenes below into a patch dataset, then train on it.</source>
        <translation>Recorta as cenas abaixo em um conjunto de patches e depois treina com ele.</translation>
    </message>
    <message>
        <source>Train on a patch dataset folder made before (by Claro or an Earth Engine export with dataset.json); nothing is cut.</source>
        <translation>Treina com uma pasta de conjunto de patches criada antes (pelo Claro ou por uma exportação do Earth Engine com dataset.json); nada é recortado.</translation>
    </message>
    <message>
        <source>Patch dataset</source>
        <translation>Conjunto de patches</translation>
    </message>
    <message>
        <source>List the class values found in the label layers (removed classes come back).</source>
        <translation>Lista os valores de classe encontrados nas camadas de rótulos (as classes removidas voltam).</translation>
    </message>
    <message>
        <source>Leave the selected class out: its pixels are then ignored in training, like unlabelled pixels.</source>
        <translation>Deixa de fora a classe selecionada: seus pixels passam a ser ignorados no treinamento, como os pixels sem rótulo.</translation>
    </message>
    <message>
        <source>Loss and the IoU of the target class per epoch, on the training and the validation patches (see the legend).</source>
        <translation>Perda e IoU da classe-alvo por época, nos patches de treinamento e de validação (veja a legenda).</translation>
    </message>
    <message>
        <source>Also write probabilities</source>
        <translation>Gravar probabilidades</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>Reparar</translation>
    </message>
    <message>
        <source>Install TensorFlow again into the incomplete environment (asks before downloading).</source>
        <translation>Instala o TensorFlow novamente no ambiente incompleto (pergunta antes de baixar).</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remover</translation>
    </message>
    <message>
        <source>Delete the incomplete environment folder Claro made.</source>
        <translation>Apaga a pasta do ambiente incompleto que o Claro criou.</translation>
    </message>
    <message>
        <source>Stop creating the environment; it is left incomplete, to repair or remove.</source>
        <translation>Interrompe a criação do ambiente; ele fica incompleto, para ser reparado ou removido.</translation>
    </message>
    <message>
        <source>Choose a patch dataset folder.</source>
        <translation>Escolha uma pasta de conjunto de patches.</translation>
    </message>
    <message>
        <source>Scene {} has no image layer; choose one or remove the scene.</source>
        <translation>A cena {} não tem camada de imagem; escolha uma ou remova a cena.</translation>
    </message>
    <message>
        <source>Scene {} has no label layer; choose one or remove the scene.</source>
        <translation>A cena {} não tem camada de rótulos; escolha uma ou remova a cena.</translation>
    </message>
    <message>
        <source>The polygon label layers use different class fields ({}); all scenes are read with one field name, so give them the same one.</source>
        <translation>As camadas de rótulos de polígonos usam campos de classe diferentes ({}); todas as cenas são lidas com um único nome de campo, então dê a elas o mesmo.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nenhum</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found: create a TensorFlow environment or choose a Python in {}.</source>
        <translation>Nenhum Python com TensorFlow foi encontrado: crie um ambiente TensorFlow ou escolha um Python na {}.</translation>
    </message>
    <message>
        <source>Resume: training goes on with the patches already in {}; they are not cut again.</source>
        <translation>Retomar: o treinamento continua com os patches que já estão em {}; eles não são recortados novamente.</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Treinando…</translation>
    </message>
    <message>
        <source>loss {} (validation {})</source>
        <translation>perda {} (validação {})</translation>
    </message>
    <message>
        <source>{} {} (validation {})</source>
        <translation>{} {} (validação {})</translation>
    </message>
    <message>
        <source>Warning: the validation patches hold no {} pixels, so {} scores are n/a; another split (Data ▸ Advanced) or more labels would score them.</source>
        <translation>Aviso: os patches de validação não contêm pixels de {}, portanto {} escores são n/a; outra divisão (Dados ▸ Avançado) ou mais rótulos permitiriam avaliá-los.</translation>
    </message>
    <message>
        <source> or </source>
        <translation> ou </translation>
    </message>
    <message>
        <source>its</source>
        <translation>seus</translation>
    </message>
    <message>
        <source>their</source>
        <translation>seus</translation>
    </message>
    <message>
        <source>Choose the raster to classify (Raster layer) in Predict.</source>
        <translation>Escolha o raster a classificar (Camada raster) em Predizer.</translation>
    </message>
    <message>
        <source>Choose the Python with TensorFlow</source>
        <translation>Escolha o Python com TensorFlow</translation>
    </message>
    <message>
        <source>No Python with TensorFlow was found. Click 'Create…' or choose an existing Python.</source>
        <translation>Nenhum Python com TensorFlow foi encontrado. Clique em 'Criar…' ou escolha um Python existente.</translation>
    </message>
    <message>
        <source>Claro&apos;s {} tab</source>
        <translation>aba {} do Claro</translation>
    </message>
    <message>
        <source>No GPU found: Train offers a lighter U-Net (depth {}, {} base filters), which a CPU trains much faster; set Depth and Base filters back to {} and {} for the full one.</source>
        <translation>Nenhuma GPU encontrada: Treinar oferece uma U-Net mais leve (profundidade {}, {} filtros base), que uma CPU treina muito mais rápido; volte Profundidade e Filtros base para {} e {} para a completa.</translation>
    </message>
    <message>
        <source>The environment in {} is incomplete (its installation did not finish), so it is not used: repair or remove it.</source>
        <translation>O ambiente em {} está incompleto (a instalação não terminou), então não é usado: repare-o ou remova-o.</translation>
    </message>
    <message>
        <source>Install {} again into the environment in
{}? This downloads several hundred MB and takes a few minutes.</source>
        <translation>Instalar {} novamente no ambiente em
{}? Isso baixa várias centenas de MB e leva alguns minutos.</translation>
    </message>
    <message>
        <source>Create a Python environment in
{1}
and install {0} into it? This downloads several hundred MB and takes a few minutes.</source>
        <translation>Criar um ambiente Python em
{1}
e instalar {0} nele? Isso baixa várias centenas de MB e leva alguns minutos.</translation>
    </message>
    <message>
        <source>Delete the incomplete environment in
{}?</source>
        <translation>Apagar o ambiente incompleto em
{}?</translation>
    </message>
    <message>
        <source>The folder &apos;{}&apos; was not made by Claro; remove it yourself if you no longer need it.</source>
        <translation>A pasta '{}' não foi criada pelo Claro; remova-a você mesmo se não precisar mais dela.</translation>
    </message>
    <message>
        <source>{} Choose another Python or create a TensorFlow environment in {}.</source>
        <translation>{} Escolha outro Python ou crie um ambiente TensorFlow na {}.</translation>
    </message>
    <message>
        <source>The Python &apos;{}&apos; has no {}, so Claro cannot run with it: create a TensorFlow environment or choose another Python in {}.</source>
        <translation>O Python '{}' não tem {}, então o Claro não pode funcionar com ele: crie um ambiente TensorFlow ou escolha outro Python na {}.</translation>
    </message>
    <message>
        <source>GDAL&apos;s Python bindings</source>
        <translation>as bibliotecas Python do GDAL</translation>
    </message>
    <message>
        <source>Claro&apos;s Python does not start, so Claro cannot train or predict yet.</source>
        <translation>O Python do Claro não inicia, então o Claro ainda não pode treinar nem predizer.</translation>
    </message>
    <message>
        <source>Claro&apos;s Python has no {}, so Claro cannot train or predict yet.</source>
        <translation>O Python do Claro não tem {}, então o Claro ainda não pode treinar nem predizer.</translation>
    </message>
    <message>
        <source>does not start ({})</source>
        <translation>não inicia ({})</translation>
    </message>
    <message>
        <source>gave an unreadable answer</source>
        <translation>deu uma resposta ilegível</translation>
    </message>
    <message>
        <source>is Python {}, QGIS runs on Python {}</source>
        <translation>é Python {}, o QGIS usa Python {}</translation>
    </message>
    <message>
        <source>has no GDAL Python bindings</source>
        <translation>não tem as bibliotecas Python do GDAL</translation>
    </message>
    <message>
        <source>has GDAL {}, QGIS has GDAL {}</source>
        <translation>tem GDAL {}, o QGIS tem GDAL {}</translation>
    </message>
    <message>
        <source>cannot make environments (its venv module is missing: install python3-venv)</source>
        <translation>não consegue criar ambientes (falta o módulo venv: instale python3-venv)</translation>
    </message>
    <message>
        <source>No Python with QGIS&apos;s Python version and GDAL was found to build the environment from ({}); choose an existing Python with TensorFlow instead.</source>
        <translation>Nenhum Python com a versão do Python e o GDAL do QGIS foi encontrado para criar o ambiente ({}); em vez disso, escolha um Python existente com TensorFlow.</translation>
    </message>
    <message>
        <source>no Python program found</source>
        <translation>nenhum programa Python encontrado</translation>
    </message>
    <message>
        <source>Repair TensorFlow environment</source>
        <translation>Reparar ambiente TensorFlow</translation>
    </message>
    <message>
        <source>Made by the Claro QGIS plugin; its Remove button may delete this folder.</source>
        <translation>Criado pelo plugin Claro do QGIS; o botão Remover dele pode apagar esta pasta.</translation>
    </message>
    <message>
        <source>Installed and checked by Claro.</source>
        <translation>Instalado e verificado pelo Claro.</translation>
    </message>
    <message>
        <source>under a minute per epoch</source>
        <translation>menos de um minuto por época</translation>
    </message>
    <message>
        <source>about {} min per epoch</source>
        <translation>cerca de {} min por época</translation>
    </message>
    <message>
        <source>Cancelled after epoch {}: {} holds the best model so far (epoch {}), and its resume state is kept; train again with --resume to continue.</source>
        <translation>Cancelado após a época {}: {} contém o melhor modelo até o momento (época {}) e seu estado para retomada é mantido; treine novamente com --resume para continuar.</translation>
    </message>
    <message>
        <source>{} (cancelled)</source>
        <translation>{} (cancelado)</translation>
    </message>
    <message>
        <source>A field named class, label, landcover, classe or clase is picked automatically.</source>
        <translation>Um campo chamado class, label, landcover, classe ou clase é escolhido automaticamente.</translation>
    </message>
    <message>
        <source>Remove scene</source>
        <translation>Remover cena</translation>
    </message>
    <message>
        <source>Leave this image and its labels out of the training data.</source>
        <translation>Deixa esta imagem e seus rótulos fora dos dados de treinamento.</translation>
    </message>
    <message>
        <source>Add scene</source>
        <translation>Adicionar cena</translation>
    </message>
    <message>
        <source>Add another image with its labels; all scenes are cut into one patch dataset and the class table lists the classes of all of them.</source>
        <translation>Adiciona outra imagem com seus rótulos; todas as cenas são recortadas em um único conjunto de patches e a tabela de classes mostra as classes de todas elas.</translation>
    </message>
    <message>
        <source>The label layer &apos;{}&apos; holds {} different values: this looks like an image, not labels; choose a raster of class values (or polygons) as the label layer.</source>
        <translation>A camada de rótulos '{}' contém {} valores diferentes: parece uma imagem, não rótulos; escolha como camada de rótulos um raster de valores de classe (ou polígonos).</translation>
    </message>
    <message>
        <source>Classes: {}</source>
        <translation>Classes: {}</translation>
    </message>
    <message>
        <source>{} × {} pixels, {} bands</source>
        <translation>{} × {} pixels, {} bandas</translation>
    </message>
    <message>
        <source>Scene: {} + {}</source>
        <translation>Cena: {} + {}</translation>
    </message>
    <message>
        <source>tick {} in {}</source>
        <translation>marque {} em {}</translation>
    </message>
    <message>
        <source>untick {} in {}</source>
        <translation>desmarque {} em {}</translation>
    </message>
    <message>
        <source>with {} ticked in {}</source>
        <translation>com {} marcado em {}</translation>
    </message>
    <message>
        <source>with {} unticked in {}</source>
        <translation>com {} desmarcado em {}</translation>
    </message>
    <message>
        <source>choose {} in {}</source>
        <translation>escolha {} em {}</translation>
    </message>
    <message>
        <source>in {} ({})</source>
        <translation>em {} ({})</translation>
    </message>
    <message>
        <source>{} in {}</source>
        <translation>{} em {}</translation>
    </message>
    <message>
        <source>Open the Setup tab.</source>
        <translation>Abre a aba Configuração.</translation>
    </message>
    <message>
        <source>Choose an image layer in Data.</source>
        <translation>Escolha uma camada de imagem em Dados.</translation>
    </message>
    <message>
        <source>Choose a label layer in Data.</source>
        <translation>Escolha uma camada de rótulos em Dados.</translation>
    </message>
    <message>
        <source>Choose an output folder for the patches in Data.</source>
        <translation>Escolha uma pasta de saída para os patches em Dados.</translation>
    </message>
    <message>
        <source>Choose the patch dataset folder in Data.</source>
        <translation>Escolha a pasta do conjunto de patches em Dados.</translation>
    </message>
    <message>
        <source>the Setup tab of Claro&apos;s dock</source>
        <translation>aba Configuração do painel do Claro</translation>
    </message>
    <message>
        <source>Cancelled; the environment is left incomplete: repair or remove it in the Setup tab.</source>
        <translation>Cancelado; o ambiente fica incompleto: repare-o ou remova-o na aba Configuração.</translation>
    </message>
    <message>
        <source>Existing patch dataset</source>
        <translation>Patches existentes</translation>
    </message>
    <message>
        <source>Read classes</source>
        <translation>Ler classes</translation>
    </message>
    <message>
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>Draw an accuracy sample (stratified random points)</source>
        <translation>Sortear uma amostra para avaliar a acurácia (pontos aleatórios estratificados)</translation>
    </message>
    <message>
        <source>Assess accuracy and areas from a labelled sample</source>
        <translation>Avaliar a acurácia e as áreas a partir de uma amostra rotulada</translation>
    </message>
    <message>
        <source>Points drawn</source>
        <translation>Pontos sorteados</translation>
    </message>
    <message>
        <source>Overall accuracy: half-width of the 95 % confidence interval</source>
        <translation>Acurácia global: semiamplitude do intervalo de confiança de 95 %</translation>
    </message>
    <message>
        <source>Labelled points used</source>
        <translation>Pontos rotulados usados</translation>
    </message>
    <message>
        <source>Whole raster</source>
        <translation>Raster inteiro</translation>
    </message>
    <message>
        <source>Polygon layer</source>
        <translation>Camada de polígonos</translation>
    </message>
    <message>
        <source>Selected features of the layer</source>
        <translation>Feições selecionadas</translation>
    </message>
    <message>
        <source>Current map extent</source>
        <translation>Extensão atual do mapa</translation>
    </message>
    <message>
        <source>Choose the polygon layer of the area of interest in Predict.</source>
        <translation>Escolha a camada de polígonos da área de interesse em Predizer.</translation>
    </message>
    <message>
        <source>The layer &apos;{}&apos; is not a polygon layer; an area of interest is drawn as polygons.</source>
        <translation>A camada '{}' não é uma camada de polígonos; uma área de interesse é desenhada como polígonos.</translation>
    </message>
    <message>
        <source>The area of interest could not be saved as a GeoPackage in {} ({}).</source>
        <translation>Não foi possível salvar a área de interesse como GeoPackage em {} ({}).</translation>
    </message>
    <message>
        <source>map extent</source>
        <translation>extensão do mapa</translation>
    </message>
    <message>
        <source>There is no map extent to use as area of interest; open a map first.</source>
        <translation>Não há extensão do mapa para usar como área de interesse; abra um mapa primeiro.</translation>
    </message>
    <message>
        <source>No feature of the layer &apos;{}&apos; is selected; select the polygons of the area of interest on the map, or choose the whole layer.</source>
        <translation>Nenhuma feição da camada '{}' está selecionada; selecione no mapa os polígonos da área de interesse ou escolha a camada inteira.</translation>
    </message>
    <message>
        <source>The sample layer is not valid; load the GeoPackage from Draw a sample again.</source>
        <translation>A camada de amostra não é válida; carregue novamente o GeoPackage de Sortear uma amostra.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; has no field &apos;{}&apos; to hold the labels; choose the sample Claro drew.</source>
        <translation>A camada '{}' não tem o campo '{}' para guardar os rótulos; escolha a amostra que o Claro sorteou.</translation>
    </message>
    <message>
        <source>Field &apos;{}&apos; of layer &apos;{}&apos; is not a whole number; choose the sample Claro drew.</source>
        <translation>O campo '{}' da camada '{}' não é de números inteiros; escolha a amostra que o Claro sorteou.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; cannot be written (read-only file?); copy the sample somewhere you can write and load it from there.</source>
        <translation>Não é possível gravar na camada '{}' (arquivo somente leitura?); copie a amostra para um local onde você possa gravar e carregue-a de lá.</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; holds no point to label.</source>
        <translation>A camada '{}' não contém nenhum ponto a rotular.</translation>
    </message>
    <message>
        <source>{} of {} labelled</source>
        <translation>{} de {} rotulados</translation>
    </message>
    <message>
        <source>, {} skipped</source>
        <translation>, {} pulados</translation>
    </message>
    <message>
        <source>Point {} of {} (id {})</source>
        <translation>Ponto {} de {} (id {})</translation>
    </message>
    <message>
        <source>Layer &apos;{}&apos; is being edited; save or discard its edits (Toggle Editing) so that labels go straight to the file.</source>
        <translation>A camada '{}' está em edição; salve ou descarte as alterações (Alternar edição) para que os rótulos sejam gravados diretamente no arquivo.</translation>
    </message>
    <message>
        <source>The label of point {} could not be saved to &apos;{}&apos;{}.</source>
        <translation>Não foi possível salvar o rótulo do ponto {} em '{}'{}.</translation>
    </message>
    <message>
        <source>{} (uncertainty)</source>
        <translation>{} (incerteza)</translation>
    </message>
    <message>
        <source>Click to open the summary in your image viewer.</source>
        <translation>Clique para abrir o resumo no seu visualizador de imagens.</translation>
    </message>
    <message>
        <source>Assess</source>
        <translation>Acurácia</translation>
    </message>
    <message>
        <source>Accuracy and areas with confidence intervals from a labelled sample</source>
        <translation>Acurácia e áreas com intervalos de confiança a partir de uma amostra rotulada</translation>
    </message>
    <message>
        <source>The class or change map to assess (from Predict or a change map); its classes are the strata of the sample.</source>
        <translation>O mapa de classes ou de mudança a avaliar (de Predizer ou um mapa de mudança); suas classes são os estratos da amostra.</translation>
    </message>
    <message>
        <source>Class map</source>
        <translation>Mapa de classes</translation>
    </message>
    <message>
        <source>Optional: polygons the sample and the areas are limited to.</source>
        <translation>Opcional: polígonos aos quais a amostra e as áreas se limitam.</translation>
    </message>
    <message>
        <source>Area of interest</source>
        <translation>Área de interesse</translation>
    </message>
    <message>
        <source>1. Draw a sample</source>
        <translation>1. Sortear uma amostra</translation>
    </message>
    <message>
        <source>Draw sample</source>
        <translation>Sortear amostra</translation>
    </message>
    <message>
        <source>Draw a stratified random sample of the class map and add the points as a layer to label.</source>
        <translation>Sorteia uma amostra aleatória estratificada do mapa de classes e adiciona os pontos como camada para rotular.</translation>
    </message>
    <message>
        <source>2. Label the points</source>
        <translation>2. Rotular os pontos</translation>
    </message>
    <message>
        <source>The points of a sample Claro drew (the GeoPackage from Draw sample).</source>
        <translation>Os pontos de uma amostra que o Claro sorteou (o GeoPackage de Sortear amostra).</translation>
    </message>
    <message>
        <source>Sample layer</source>
        <translation>Amostra</translation>
    </message>
    <message>
        <source>The map scale each point is shown at, centred on it.</source>
        <translation>A escala do mapa em que cada ponto é mostrado, centralizado nele.</translation>
    </message>
    <message>
        <source>Zoom to scale</source>
        <translation>Escala</translation>
    </message>
    <message>
        <source>Images to look at (only these are shown while labelling):</source>
        <translation>Imagens a consultar (só estas aparecem ao rotular):</translation>
    </message>
    <message>
        <source>Tick the images that show what is on the ground, e.g. the images before and after the change; the class map is not listed (blind labelling).</source>
        <translation>Marque as imagens que mostram o que há no terreno, p. ex. as imagens antes e depois da mudança; o mapa de classes não aparece (rotulagem às cegas).</translation>
    </message>
    <message>
        <source>Show the map class</source>
        <translation>Mostrar classe do mapa</translation>
    </message>
    <message>
        <source>Good practice is to label blind: the map&apos;s answer biases the reference. Tick to show the point&apos;s map class and the map layer.</source>
        <translation>A boa prática é rotular às cegas: a resposta do mapa enviesa a referência. Marque para mostrar a classe do mapa no ponto e a camada do mapa.</translation>
    </message>
    <message>
        <source>Start labelling</source>
        <translation>Iniciar rotulagem</translation>
    </message>
    <message>
        <source>Show only the chosen images and step through the points; Stop labelling restores the layers&apos; visibility.</source>
        <translation>Mostra só as imagens escolhidas e percorre os pontos um a um; Parar rotulagem restaura a visibilidade das camadas.</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>Anterior</translation>
    </message>
    <message>
        <source>Go back to the previous point.</source>
        <translation>Volta ao ponto anterior.</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Pular</translation>
    </message>
    <message>
        <source>Unsure: leave this point without a label (a label it had is removed) and go to the next; &apos;claro assess&apos; counts it as skipped.</source>
        <translation>Na dúvida: deixa este ponto sem rótulo (o rótulo que tinha é removido) e vai para o próximo; 'claro assess' o conta como pulado.</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Próximo</translation>
    </message>
    <message>
        <source>Go to the next point without changing this one&apos;s label.</source>
        <translation>Vai para o próximo ponto sem alterar o rótulo deste.</translation>
    </message>
    <message>
        <source>First unlabelled point</source>
        <translation>Primeiro sem rótulo</translation>
    </message>
    <message>
        <source>Jump to the first point without a label (passing over those skipped).</source>
        <translation>Salta para o primeiro ponto sem rótulo (ignorando os pulados).</translation>
    </message>
    <message>
        <source>3. Assess</source>
        <translation>3. Avaliar a acurácia</translation>
    </message>
    <message>
        <source>Estimate accuracies and class areas with 95 % confidence intervals from the labelled sample.</source>
        <translation>Estima as acurácias e as áreas das classes com intervalos de confiança de 95 % a partir da amostra rotulada.</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Classe</translation>
    </message>
    <message>
        <source>Map ha</source>
        <translation>ha mapeados</translation>
    </message>
    <message>
        <source>Estimated ha</source>
        <translation>ha estimados</translation>
    </message>
    <message>
        <source>User&apos;s</source>
        <translation>Usuário</translation>
    </message>
    <message>
        <source>Producer&apos;s</source>
        <translation>Produtor</translation>
    </message>
    <message>
        <source>Per class: the map's area, the estimated area ± its 95 % interval, and user's and producer's accuracy ± their 95 % intervals.</source>
        <translation>Por classe: a área do mapa, a área estimada ± seu intervalo de 95 % e as acurácias do usuário e do produtor ± seus intervalos de 95 %.</translation>
    </message>
    <message>
        <source>Choose the class map to sample (Class map) in Assess.</source>
        <translation>Escolha o mapa de classes a amostrar (Mapa de classes) em Acurácia.</translation>
    </message>
    <message>
        <source>Choose where to write the sample points (Sample points) in Assess.</source>
        <translation>Escolha onde gravar os pontos da amostra (Pontos da amostra) em Acurácia.</translation>
    </message>
    <message>
        <source>Drawing the sample…</source>
        <translation>Sorteando a amostra…</translation>
    </message>
    <message>
        <source>Claro: sample {}</source>
        <translation>Claro: amostrar {}</translation>
    </message>
    <message>
        <source>{} points written to {}; label them below.</source>
        <translation>{} pontos gravados em {}; rotule-os abaixo.</translation>
    </message>
    <message>
        <source>Sample added as layer &apos;{}&apos;.</source>
        <translation>Amostra adicionada como camada '{}'.</translation>
    </message>
    <message>
        <source>The classes of layer &apos;{}&apos; are not known; choose its class map (Class map).</source>
        <translation>As classes da camada '{}' não são conhecidas; escolha seu mapa de classes (Mapa de classes).</translation>
    </message>
    <message>
        <source>Label this point {} (value {}) and go to the next.</source>
        <translation>Rotula este ponto como {} (valor {}) e vai para o próximo.</translation>
    </message>
    <message>
        <source>Choose the sample layer to label (Sample layer) in Assess.</source>
        <translation>Escolha a camada de amostra a rotular (Amostra) em Acurácia.</translation>
    </message>
    <message>
        <source>Labelled: {}</source>
        <translation>Rotulado: {}</translation>
    </message>
    <message>
        <source>Skipped (no label)</source>
        <translation>Pulado (sem rótulo)</translation>
    </message>
    <message>
        <source>Not labelled</source>
        <translation>Sem rótulo</translation>
    </message>
    <message>
        <source>Map class: {}</source>
        <translation>Classe do mapa: {}</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>desconhecida</translation>
    </message>
    <message>
        <source>Stop labelling</source>
        <translation>Parar rotulagem</translation>
    </message>
    <message>
        <source>Choose the labelled sample (Sample layer) in Assess.</source>
        <translation>Escolha a amostra rotulada (Amostra) em Acurácia.</translation>
    </message>
    <message>
        <source>Choose the class map the sample was drawn from (Class map) in Assess.</source>
        <translation>Escolha o mapa de classes do qual a amostra foi sorteada (Mapa de classes) em Acurácia.</translation>
    </message>
    <message>
        <source>Choose where to write the report (Report) in Assess.</source>
        <translation>Escolha onde gravar o relatório (Relatório) em Acurácia.</translation>
    </message>
    <message>
        <source>Assessing…</source>
        <translation>Avaliando…</translation>
    </message>
    <message>
        <source>Claro: assess {}</source>
        <translation>Claro: avaliar {}</translation>
    </message>
    <message>
        <source>The report {} could not be read: {}</source>
        <translation>Não foi possível ler o relatório {}: {}</translation>
    </message>
    <message>
        <source>Overall accuracy cannot be estimated yet (see the notes).</source>
        <translation>Ainda não é possível estimar a acurácia global (veja as notas).</translation>
    </message>
    <message>
        <source>Overall accuracy {} (no confidence interval: see the notes)</source>
        <translation>Acurácia global {} (sem intervalo de confiança: veja as notas)</translation>
    </message>
    <message>
        <source>Overall accuracy {} (95 % confidence interval)</source>
        <translation>Acurácia global {} (intervalo de confiança de 95 %)</translation>
    </message>
    <message>
        <source>The polygons of the area of interest (all of them, or the selected ones).</source>
        <translation>Os polígonos da área de interesse (todos ou os selecionados).</translation>
    </message>
    <message>
        <source>Area layer</source>
        <translation>Camada da área</translation>
    </message>
    <message>
        <source>Fast mode (bfloat16)</source>
        <translation>Modo rápido (bfloat16)</translation>
    </message>
    <message>
        <source>Hectares</source>
        <translation>Hectares</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Proporção</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>Pixels</translation>
    </message>
    <message>
        <source>True area of every class on the WGS84 ellipsoid, after the minimum mapping unit.</source>
        <translation>Área real de cada classe no elipsoide WGS84, após aplicar a unidade mínima de mapeamento.</translation>
    </message>
    <message>
        <source>Test-time augmentation (8× slower)</source>
        <translation>Aumento TTA (8× mais lento)</translation>
    </message>
    <message>
        <source>Needs test-time augmentation.</source>
        <translation>Requer o aumento na predição (TTA).</translation>
    </message>
    <message>
        <source>No area table: {} has no coordinate reference system, so its pixels have no true area; assign one to the image (Raster ▸ Projections ▸ Assign Projection) and predict again to get hectares.</source>
        <translation>Sem tabela de áreas: {} não tem sistema de referência de coordenadas, então seus pixels não têm área real; atribua um à imagem (Raster ▸ Projeções ▸ Atribuir projeção) e prediga novamente para obter hectares.</translation>
    </message>
    <message>
        <source>the class raster</source>
        <translation>o raster de classes</translation>
    </message>
    <message>
        <source>True area per class on the WGS84 ellipsoid (also in {}):</source>
        <translation>Área real por classe no elipsoide WGS84 (também em {}):</translation>
    </message>
    <message>
        <source>True area per class on the WGS84 ellipsoid:</source>
        <translation>Área real por classe no elipsoide WGS84:</translation>
    </message>
    <message>
        <source>Change between two class maps</source>
        <translation>Mudança entre dois mapas de classes</translation>
    </message>
    <message>
        <source>Hectares changed</source>
        <translation>Hectares mudados</translation>
    </message>
    <message>
        <source>Hectares compared</source>
        <translation>Hectares comparados</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Mudança</translation>
    </message>
    <message>
        <source>Compare two class maps: what changed where, in hectares</source>
        <translation>Comparar dois mapas de classes: o que mudou e onde, em hectares</translation>
    </message>
    <message>
        <source>Changes to show (nothing ticked: every change):</source>
        <translation>Mudanças a mostrar (nada marcado: todas):</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Comparar</translation>
    </message>
    <message>
        <source>Compare the two maps and add the change map as a layer.</source>
        <translation>Comparar os dois mapas e adicionar o mapa de mudança como camada.</translation>
    </message>
    <message>
        <source>Hectares (true areas on the WGS84 ellipsoid) of every from→to pair: rows the before map's class, columns the after map's.</source>
        <translation>Hectares (áreas reais no elipsoide WGS84) de cada par origem→destino: linhas a classe do mapa de antes, colunas a do mapa de depois.</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Antes</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Depois</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Para</translation>
    </message>
    <message>
        <source>{} (from the file)</source>
        <translation>{} (do arquivo)</translation>
    </message>
    <message>
        <source>none in the file</source>
        <translation>nenhuma no arquivo</translation>
    </message>
    <message>
        <source>Choose the earlier class map (Before) in Change.</source>
        <translation>Escolha o mapa de classes anterior (Antes) em Mudança.</translation>
    </message>
    <message>
        <source>Choose the later class map (After) in Change.</source>
        <translation>Escolha o mapa de classes posterior (Depois) em Mudança.</translation>
    </message>
    <message>
        <source>Before and After are the same layer; choose the maps of two dates in Change.</source>
        <translation>Antes e Depois são a mesma camada; escolha os mapas de duas datas em Mudança.</translation>
    </message>
    <message>
        <source>Choose where to write the change raster (Change raster) in Change.</source>
        <translation>Escolha onde gravar o raster de mudança (Raster de mudança) em Mudança.</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>Comparando…</translation>
    </message>
    <message>
        <source>Claro: change {}</source>
        <translation>Claro: mudança {}</translation>
    </message>
    <message>
        <source>Change map added as layer &apos;{}&apos;: {} ha changed of {} ha compared.</source>
        <translation>Mapa de mudança adicionado como camada '{}': {} ha mudaram de {} ha comparados.</translation>
    </message>
    <message>
        <source>To {}</source>
        <translation>Para {}</translation>
    </message>
    <message>
        <source>From {}</source>
        <translation>De {}</translation>
    </message>
    <message>
        <source>{} → {}: {} ha</source>
        <translation>{} → {}: {} ha</translation>
    </message>
    <message>
        <source>no date</source>
        <translation>sem data</translation>
    </message>
    <message>
        <source>Hectares from {} (rows) to {} (columns), {} ha changed. Table: {}</source>
        <translation>Hectares de {} (linhas) para {} (colunas), {} ha mudaram. Tabela: {}</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>Modelo ONNX (*.onnx)</translation>
    </message>
    <message>
        <source>Describe TFRecords (Earth Engine export)</source>
        <translation>Descrever TFRecords (exportação do Earth Engine)</translation>
    </message>
    <message>
        <source>Export model for Deepness (ONNX)</source>
        <translation>Exportar modelo para o Deepness (ONNX)</translation>
    </message>
    <message>
        <source>Dask (prediction on a cluster)</source>
        <translation>Dask (predição em um cluster)</translation>
    </message>
    <message>
        <source>Install dask and distributed, so Predict can run on a Dask cluster or on several processes of this machine (Predict ▸ Advanced ▸ Dask scheduler).</source>
        <translation>Instala dask e distributed, para que Predizer possa rodar em um cluster Dask ou em vários processos desta máquina (Predizer ▸ Avançado ▸ Agendador Dask).</translation>
    </message>
    <message>
        <source>ONNX export (for Deepness)</source>
        <translation>Exportação ONNX (para o Deepness)</translation>
    </message>
    <message>
        <source>Install tf2onnx, onnx and onnxruntime, so a trained model can be exported for the Deepness plugin (Processing ▸ Claro ▸ Export model for Deepness).</source>
        <translation>Instala tf2onnx, onnx e onnxruntime, para que um modelo treinado possa ser exportado para o complemento Deepness (Processamento ▸ Claro ▸ Exportar modelo para o Deepness).</translation>
    </message>
    <message>
        <source>Dask {}</source>
        <translation>Dask {}</translation>
    </message>
    <message>
        <source>no Dask</source>
        <translation>sem Dask</translation>
    </message>
    <message>
        <source>ONNX export (tf2onnx {})</source>
        <translation>exportação ONNX (tf2onnx {})</translation>
    </message>
    <message>
        <source>no ONNX export</source>
        <translation>sem exportação ONNX</translation>
    </message>
    <message>
        <source>Predicting on a Dask cluster needs dask and distributed in Claro's Python ({}): tick {} and click Create… in {}, or install them into that Python with: pip install {}</source>
        <translation>Predizer em um cluster Dask requer dask e distributed no Python do Claro ({}): marque {} e clique em Criar… em {}, ou instale-os nesse Python com: pip install {}</translation>
    </message>
    <message>
        <source>Bands: {}</source>
        <translation>Bandas: {}</translation>
    </message>
    <message>
        <source>Earth Engine TFRecords</source>
        <translation>TFRecords do Earth Engine</translation>
    </message>
    <message>
        <source>Train on a folder of TFRecord files exported from Earth Engine (or another tool): Describe reads them and writes their dataset.json, then it trains like an existing patch dataset.</source>
        <translation>Treinar com uma pasta de arquivos TFRecord exportados do Earth Engine (ou de outra ferramenta): Descrever os lê e escreve o dataset.json; depois o treino é como o de um conjunto de patches existente.</translation>
    </message>
    <message>
        <source>Describe</source>
        <translation>Descrever</translation>
    </message>
    <message>
        <source>Read every TFRecord file of the folder (features, patch size, classes, band statistics, split) and write its dataset.json; describe again after changing the label feature or the bands.</source>
        <translation>Lê todos os arquivos TFRecord da pasta (atributos, tamanho do patch, classes, estatísticas das bandas, divisão) e escreve o dataset.json; descreva de novo após mudar o atributo de rótulo ou as bandas.</translation>
    </message>
    <message>
        <source>TFRecord folder</source>
        <translation>Pasta de TFRecords</translation>
    </message>
    <message>
        <source>Choose the folder of TFRecord files.</source>
        <translation>Escolha a pasta de arquivos TFRecord.</translation>
    </message>
    <message>
        <source>{} TFRecord files, not described yet: Describe reads them (bands, patch size, classes, patches per split); Train describes them first.</source>
        <translation>{} arquivos TFRecord, ainda não descritos: Descrever os lê (bandas, tamanho do patch, classes, patches por divisão); Treinar os descreve primeiro.</translation>
    </message>
    <message>
        <source>Choose the folder of TFRecord files in Data.</source>
        <translation>Escolha a pasta de arquivos TFRecord em Dados.</translation>
    </message>
    <message>
        <source>Describing the TFRecords…</source>
        <translation>Descrevendo os TFRecords…</translation>
    </message>
    <message>
        <source>Claro: describe {}</source>
        <translation>Claro: descrever {}</translation>
    </message>
    <message>
        <source>Described: {}</source>
        <translation>Descrito: {}</translation>
    </message>
    <message>
        <source>tcp://host:8786 or local:2</source>
        <translation>tcp://host:8786 ou local:2</translation>
    </message>
    <message>
        <source>Also install (optional):</source>
        <translation>Instalar também (opcional):</translation>
    </message>
    <message>
        <source>Tick before Create…; for an environment Claro made already, Create… adds them.</source>
        <translation>Marque antes de Criar…; em um ambiente que o Claro já criou, Criar… os adiciona.</translation>
    </message>
    <message>
        <source>Not described yet: Describe reads the TFRecord files of this folder (bands, patch size, classes, patches per split); Train describes them first.</source>
        <translation>Ainda não descrita: Descrever lê os arquivos TFRecord desta pasta (bandas, tamanho do patch, classes, patches por divisão); Treinar os descreve primeiro.</translation>
    </message>
</context>
<context>
    <name>params</name>
    <message>
        <source>Image rasters</source>
        <translation>Rasters de imagem</translation>
    </message>
    <message>
        <source>Image raster; repeat the flag for several scenes (paired in order with --labels).</source>
        <translation>Raster de imagem; repita a opção para várias cenas (pareadas em ordem com --labels).</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Rótulos</translation>
    </message>
    <message>
        <source>Label raster (class values) or polygon file (GeoPackage, GeoJSON, Shapefile), one per --image.</source>
        <translation>Raster de rótulos (valores de classe) ou arquivo de polígonos (GeoPackage, GeoJSON, Shapefile), um para cada --image.</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>Pasta de saída</translation>
    </message>
    <message>
        <source>Folder to write the patch dataset into (TFRecord shards and dataset.json).</source>
        <translation>Pasta onde o conjunto de patches é gravado (fragmentos TFRecord e dataset.json).</translation>
    </message>
    <message>
        <source>Class field</source>
        <translation>Campo de classe</translation>
    </message>
    <message>
        <source>Attribute holding the class value when labels are polygons; without it every polygon is class 1.</source>
        <translation>Atributo com o valor da classe quando os rótulos são polígonos; sem ele, todo polígono é da classe 1.</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>Fundo</translation>
    </message>
    <message>
        <source>Class of pixels outside every polygon: a class value, or &apos;ignore&apos; when polygons of every class were drawn.</source>
        <translation>Classe dos pixels fora de todos os polígonos: um valor de classe, ou 'ignore' quando foram desenhados polígonos de todas as classes.</translation>
    </message>
    <message>
        <source>Patch size</source>
        <translation>Tamanho do patch</translation>
    </message>
    <message>
        <source>Width and height of a patch in pixels.</source>
        <translation>Largura e altura de um patch em pixels.</translation>
    </message>
    <message>
        <source>Stride</source>
        <translation>Passo</translation>
    </message>
    <message>
        <source>Step between patches in pixels (default: the patch size, so no overlap).</source>
        <translation>Deslocamento entre patches em pixels (padrão: o tamanho do patch, sem sobreposição).</translation>
    </message>
    <message>
        <source>Bands</source>
        <translation>Bandas</translation>
    </message>
    <message>
        <source>1-based band numbers to use, comma separated (default: all bands).</source>
        <translation>Números das bandas a usar, a partir de 1, separados por vírgulas (padrão: todas as bandas).</translation>
    </message>
    <message>
        <source>Ignore value</source>
        <translation>Valor ignorado</translation>
    </message>
    <message>
        <source>Label value meaning &apos;not labelled&apos;; label nodata and image nodata pixels become it too.</source>
        <translation>Valor de rótulo que significa 'sem rótulo'; pixels sem dados (NoData) dos rótulos e da imagem também recebem esse valor.</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Divisão</translation>
    </message>
    <message>
        <source>Fractions for train, validation and test, comma separated; made by spatial blocks.</source>
        <translation>Frações para treinamento, validação e teste, separadas por vírgulas; a divisão é feita por blocos espaciais.</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semente</translation>
    </message>
    <message>
        <source>Random seed for the split.</source>
        <translation>Semente aleatória da divisão.</translation>
    </message>
    <message>
        <source>Minimum labelled fraction</source>
        <translation>Fração mínima rotulada</translation>
    </message>
    <message>
        <source>Drop patches whose labelled (non-ignored) fraction of pixels is below this.</source>
        <translation>Descarta os patches cuja fração de pixels rotulados (não ignorados) fica abaixo deste valor.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <source>Class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos; (default: from the label values).</source>
        <translation>Nomes e cores das classes, p. ex. '0:forest:#1a9641,1:cleared:#d7191c' (padrão: a partir dos valores dos rótulos).</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>Sobrescrever</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progresso</translation>
    </message>
    <message>
        <source>How to report progress: a bar on a terminal, or one JSON object per line for programs.</source>
        <translation>Como informar o progresso: uma barra no terminal, ou um objeto JSON por linha para programas.</translation>
    </message>
    <message>
        <source>Patch dataset</source>
        <translation>Conjunto de patches</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>Arquivo do modelo</translation>
    </message>
    <message>
        <source>Where to save the trained model (.keras).</source>
        <translation>Onde salvar o modelo treinado (.keras).</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Épocas</translation>
    </message>
    <message>
        <source>Maximum number of passes over the training patches.</source>
        <translation>Número máximo de passagens pelos patches de treinamento.</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Tamanho do lote</translation>
    </message>
    <message>
        <source>Patches per training step; lower it if memory runs out.</source>
        <translation>Patches por passo de treinamento; reduza se a memória acabar.</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Taxa de aprendizado</translation>
    </message>
    <message>
        <source>Adam learning rate.</source>
        <translation>Taxa de aprendizado do otimizador Adam.</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Profundidade</translation>
    </message>
    <message>
        <source>Number of U-Net levels (5 gives the notebook's 32→1024 U-Net).</source>
        <translation>Número de níveis da U-Net (5 gera a U-Net 32→1024 do notebook).</translation>
    </message>
    <message>
        <source>Base filters</source>
        <translation>Filtros base</translation>
    </message>
    <message>
        <source>Filters of the first U-Net level; doubled at each level down.</source>
        <translation>Filtros do primeiro nível da U-Net; dobram a cada nível abaixo.</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Dropout rate in the U-Net&apos;s deepest blocks (0 = none).</source>
        <translation>Taxa de dropout nos blocos mais profundos da U-Net (0 = nenhum).</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>Aumento de dados</translation>
    </message>
    <message>
        <source>Augment training patches with flips, 90° rotations and small brightness changes per band (--no-augment turns it off).</source>
        <translation>Aumenta os patches de treinamento com espelhamentos, rotações de 90° e pequenas mudanças de brilho por banda (--no-augment desativa).</translation>
    </message>
    <message>
        <source>Class weights</source>
        <translation>Pesos das classes</translation>
    </message>
    <message>
        <source>&apos;auto&apos; (inverse class frequency), &apos;none&apos;, or one weight per class, comma separated.</source>
        <translation>'auto' (inverso da frequência de cada classe), 'none', ou um peso por classe, separados por vírgulas.</translation>
    </message>
    <message>
        <source>Patience</source>
        <translation>Paciência</translation>
    </message>
    <message>
        <source>Stop after this many epochs without a better validation loss; the best weights are kept.</source>
        <translation>Para após este número de épocas sem melhora na perda de validação; os melhores pesos são mantidos.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Retomar</translation>
    </message>
    <message>
        <source>Continue an interrupted training from its checkpoint.</source>
        <translation>Continua um treinamento interrompido a partir do seu ponto de controle.</translation>
    </message>
    <message>
        <source>Random seed for weights and shuffling.</source>
        <translation>Semente aleatória para os pesos e o embaralhamento.</translation>
    </message>
    <message>
        <source>Trained model file (.keras).</source>
        <translation>Arquivo do modelo treinado (.keras).</translation>
    </message>
    <message>
        <source>Image raster</source>
        <translation>Raster de imagem</translation>
    </message>
    <message>
        <source>Class raster</source>
        <translation>Raster de classes</translation>
    </message>
    <message>
        <source>Output class GeoTIFF; a .qml style is written beside it.</source>
        <translation>GeoTIFF de classes de saída; um estilo .qml é gravado ao lado.</translation>
    </message>
    <message>
        <source>Probability raster</source>
        <translation>Raster de probabilidades</translation>
    </message>
    <message>
        <source>Also write per-class probabilities (float32 GeoTIFF) to this path.</source>
        <translation>Grava também as probabilidades por classe (GeoTIFF float32) neste caminho.</translation>
    </message>
    <message>
        <source>Overlap</source>
        <translation>Sobreposição</translation>
    </message>
    <message>
        <source>Overlap between prediction windows as a fraction of the window; blended so no seams show.</source>
        <translation>Sobreposição entre as janelas de predição, como fração da janela; elas são mescladas para que não apareçam emendas.</translation>
    </message>
    <message>
        <source>Window size</source>
        <translation>Tamanho da janela</translation>
    </message>
    <message>
        <source>Prediction window in pixels (default: from the model, at least 256).</source>
        <translation>Janela de predição em pixels (padrão: a do modelo, no mínimo 256).</translation>
    </message>
    <message>
        <source>Windows per prediction step.</source>
        <translation>Janelas por passo de predição.</translation>
    </message>
    <message>
        <source>1-based band numbers to feed the model (default: the model&apos;s, else all).</source>
        <translation>Números das bandas, a partir de 1, que alimentam o modelo (padrão: as do modelo; senão, todas).</translation>
    </message>
    <message>
        <source>For a model without a Claro card: class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos;.</source>
        <translation>Para um modelo sem ficha do Claro: nomes e cores das classes, p. ex. '0:forest:#1a9641,1:cleared:#d7191c'.</translation>
    </message>
    <message>
        <source>Class GeoTIFF made by &apos;claro predict&apos;.</source>
        <translation>GeoTIFF de classes criado com 'claro predict'.</translation>
    </message>
    <message>
        <source>Reference labels</source>
        <translation>Rótulos de referência</translation>
    </message>
    <message>
        <source>Reference raster or polygon file, in any CRS.</source>
        <translation>Raster ou arquivo de polígonos de referência, em qualquer SRC.</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Relatório</translation>
    </message>
    <message>
        <source>Report to write (.json); a confusion-matrix PNG is written beside it.</source>
        <translation>Relatório a gravar (.json); um PNG com a matriz de confusão é gravado ao lado.</translation>
    </message>
    <message>
        <source>Attribute holding the class value when the reference is polygons.</source>
        <translation>Atributo com o valor da classe quando a referência são polígonos.</translation>
    </message>
    <message>
        <source>Reference value meaning &apos;not labelled&apos;.</source>
        <translation>Valor de referência que significa 'sem rótulo'.</translation>
    </message>
    <message>
        <source>A patch dataset folder or a model file (.keras).</source>
        <translation>Uma pasta de conjunto de patches ou um arquivo de modelo (.keras).</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Print the summary as JSON.</source>
        <translation>Imprime o resumo como JSON.</translation>
    </message>
    <message>
        <source>Cut image rasters and labels into a TFRecord patch dataset (Earth Engine / ACCA schema).</source>
        <translation>Recorta rasters de imagem e rótulos em um conjunto de patches TFRecord (esquema do Earth Engine / ACCA).</translation>
    </message>
    <message>
        <source>Train a U-Net on a patch dataset and save a self-describing .keras model.</source>
        <translation>Treina uma U-Net com um conjunto de patches e salva um modelo .keras autodescritivo.</translation>
    </message>
    <message>
        <source>Classify a whole raster with a trained model, blending overlapping windows.</source>
        <translation>Classifica um raster inteiro com um modelo treinado, mesclando janelas sobrepostas.</translation>
    </message>
    <message>
        <source>Compare a class raster with reference labels: confusion matrix, IoU, F1.</source>
        <translation>Compara um raster de classes com rótulos de referência: matriz de confusão, IoU, F1.</translation>
    </message>
    <message>
        <source>Print a patch dataset&apos;s summary or a model&apos;s card.</source>
        <translation>Mostra o resumo de um conjunto de patches ou a ficha de um modelo.</translation>
    </message>
    <message>
        <source>Halve learning rate after</source>
        <translation>Taxa pela metade após</translation>
    </message>
    <message>
        <source>Halve the learning rate after this many epochs without a better validation loss (0 = never).</source>
        <translation>Reduz pela metade a taxa de aprendizado após este número de épocas sem melhora da perda de validação (0 = nunca).</translation>
    </message>
    <message>
        <source>Replace the output folder if it holds a patch dataset Claro made (a folder with other files is never replaced).</source>
        <translation>Substitui a pasta de saída se ela contém um conjunto de patches criado pelo Claro (uma pasta com outros arquivos nunca é substituída).</translation>
    </message>
    <message>
        <source>F-beta β</source>
        <translation>β do F-beta</translation>
    </message>
    <message>
        <source>β of the F-beta score reported beside F1: above 1 favours recall (2: missing the class costs more than a false alarm), below 1 precision.</source>
        <translation>β do escore F-beta informado ao lado do F1: acima de 1 favorece a revocação (2: deixar de detectar a classe custa mais que um alarme falso), abaixo de 1 a precisão.</translation>
    </message>
    <message>
        <source>TensorBoard folder</source>
        <translation>Pasta do TensorBoard</translation>
    </message>
    <message>
        <source>Also write TensorBoard logs (losses, learning rate, per-class scores per epoch) into this folder.</source>
        <translation>Também grava registros do TensorBoard (perdas, taxa de aprendizado, escores por classe a cada época) nesta pasta.</translation>
    </message>
    <message>
        <source>Replace the model file (and its checkpoint, history and plots) if Claro made them.</source>
        <translation>Substitui o arquivo do modelo (e seu ponto de controle, histórico e gráficos) se foram criados pelo Claro.</translation>
    </message>
    <message>
        <source>Class of pixels outside every reference polygon, or &apos;ignore&apos; to score only pixels inside the polygons.</source>
        <translation>Classe dos pixels fora de todo polígono de referência, ou 'ignore' para avaliar somente os pixels dentro dos polígonos.</translation>
    </message>
    <message>
        <source>Replace the report and its figure if Claro made them.</source>
        <translation>Substitui o relatório e sua figura se foram criados pelo Claro.</translation>
    </message>
    <message>
        <source>Area of interest</source>
        <translation>Área de interesse</translation>
    </message>
    <message>
        <source>Area of interest: polygons in any vector file and CRS (GeoPackage, Shapefile, GeoJSON…; its first polygon layer, or FILE|layername=NAME); pixels outside them are nodata and windows entirely outside are never computed.</source>
        <translation>Área de interesse: polígonos em qualquer arquivo vetorial e SRC (GeoPackage, Shapefile, GeoJSON…; sua primeira camada de polígonos, ou FILE|layername=NAME); os pixels fora deles ficam sem dados (nodata) e as janelas totalmente fora nunca são calculadas.</translation>
    </message>
    <message>
        <source>Test-time augmentation</source>
        <translation>Aumento na predição (TTA)</translation>
    </message>
    <message>
        <source>Average the model's probabilities over the eight flips and 90° rotations of every window: smoother, often slightly more accurate maps for about 8× the time.</source>
        <translation>Faz a média das probabilidades do modelo sobre os oito espelhamentos e rotações de 90° de cada janela: mapas mais suaves e muitas vezes um pouco mais acurados, ao custo de cerca de 8× mais tempo.</translation>
    </message>
    <message>
        <source>Uncertainty raster</source>
        <translation>Raster de incerteza</translation>
    </message>
    <message>
        <source>Also write a per-pixel uncertainty (float32 GeoTIFF, 0 = certain, 1 = as unsure as can be) to this path.</source>
        <translation>Grava também uma incerteza por pixel (GeoTIFF float32, 0 = certeza, 1 = incerteza máxima) neste caminho.</translation>
    </message>
    <message>
        <source>Uncertainty measure</source>
        <translation>Medida de incerteza</translation>
    </message>
    <message>
        <source>entropy: the class probabilities' entropy divided by its maximum; top: 1 − the highest class probability; disagreement (needs test-time augmentation): the share of the eight views whose class differs from the averaged class.</source>
        <translation>entropy: a entropia das probabilidades das classes dividida pelo seu máximo; top: 1 − a maior probabilidade de classe; disagreement (requer aumento na predição): a proporção das oito vistas cuja classe difere da classe média.</translation>
    </message>
    <message>
        <source>Minimum mapping unit (ha)</source>
        <translation>Área mínima mapeável (ha)</translation>
    </message>
    <message>
        <source>Minimum mapping unit in hectares: regions smaller than this (true area on the ellipsoid) are merged into their surroundings; 0 keeps every pixel.</source>
        <translation>Área mínima mapeável (unidade mínima de mapeamento) em hectares: regiões menores que isso (área real no elipsoide) são fundidas ao seu entorno; 0 mantém todos os pixels.</translation>
    </message>
    <message>
        <source>Polygons</source>
        <translation>Polígonos</translation>
    </message>
    <message>
        <source>Also write one polygon per region (after the minimum mapping unit) to this GeoPackage, with its class, class name, true area in hectares and mean class probability.</source>
        <translation>Grava também um polígono por região (após aplicar a unidade mínima de mapeamento) neste GeoPackage, com sua classe, o nome da classe, a área real em hectares e a probabilidade média da classe.</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precisão</translation>
    </message>
    <message>
        <source>Arithmetic of the model while predicting: bf16 (bfloat16) is faster on CPUs with bfloat16 instructions and on GPUs, with normalisation and the output layer kept in float32.</source>
        <translation>Aritmética do modelo na predição: bf16 (bfloat16) é mais rápida em CPUs com instruções bfloat16 e em GPUs; a normalização e a camada de saída continuam em float32.</translation>
    </message>
    <message>
        <source>Replace the class raster, its style, area table and the other outputs if they exist and are of their kind.</source>
        <translation>Substitui o raster de classes, seu estilo, a tabela de áreas e as demais saídas se existirem e forem do tipo esperado.</translation>
    </message>
    <message>
        <source>Class map</source>
        <translation>Mapa de classes</translation>
    </message>
    <message>
        <source>Class raster to assess (from &apos;claro predict&apos; or &apos;claro change&apos;); its classes are the strata.</source>
        <translation>Raster de classes a avaliar (de 'claro predict' ou 'claro change'); suas classes são os estratos.</translation>
    </message>
    <message>
        <source>Sample points</source>
        <translation>Pontos da amostra</translation>
    </message>
    <message>
        <source>Output GeoPackage of points, one at the centre of each sampled pixel, with an empty &apos;reference&apos; field to label; a .qml style is written beside it.</source>
        <translation>GeoPackage de pontos de saída, um no centro de cada pixel amostrado, com um campo 'reference' vazio para rotular; um estilo .qml é gravado ao lado.</translation>
    </message>
    <message>
        <source>Area of interest: polygons in any vector file and CRS; pixels outside them are never sampled (give the same file to &apos;claro assess&apos;).</source>
        <translation>Área de interesse: polígonos em qualquer arquivo vetorial e SRC; os pixels fora deles nunca são amostrados (informe o mesmo arquivo a 'claro assess').</translation>
    </message>
    <message>
        <source>Sample size</source>
        <translation>Tamanho da amostra</translation>
    </message>
    <message>
        <source>Total number of points; without it the size follows from --target-se.</source>
        <translation>Número total de pontos; sem ele, o tamanho decorre de --target-se.</translation>
    </message>
    <message>
        <source>Target standard error</source>
        <translation>Erro padrão alvo</translation>
    </message>
    <message>
        <source>Standard error of overall accuracy the sample should reach (0.01 gives a 95 % interval of about ±0.02), with the expected user's accuracies, by Cochran's formula n = (Σ Wᵢ·√(Uᵢ(1−Uᵢ)) / SE)²; ignored when --n is given.</source>
        <translation>Erro padrão da acurácia global que a amostra deve atingir (0.01 dá um intervalo de 95 % de cerca de ±0.02), com as acurácias do usuário esperadas, pela fórmula de Cochran n = (Σ Wᵢ·√(Uᵢ(1−Uᵢ)) / SE)²; ignorado quando --n é informado.</translation>
    </message>
    <message>
        <source>Expected user&apos;s accuracies</source>
        <translation>Acurácias esperadas</translation>
    </message>
    <message>
        <source>Expected user's accuracy of classes, e.g. 'cleared:0.6,forest:0.95' (names or values); a class not listed gets 0.7 when it is a change (from→to with two different classes) and 0.9 otherwise, as Olofsson et al. (2014) suggest.</source>
        <translation>Acurácia do usuário esperada das classes, p. ex. 'cleared:0.6,forest:0.95' (nomes ou valores); uma classe não listada recebe 0.7 quando é uma mudança (de→para com duas classes diferentes) e 0.9 nos demais casos, como sugerem Olofsson et al. (2014).</translation>
    </message>
    <message>
        <source>Minimum points per class</source>
        <translation>Pontos mínimos por classe</translation>
    </message>
    <message>
        <source>Every class gets at least this many points and the rest of the sample is shared in proportion to area: a rare class (often the change of interest) would otherwise get a handful of points, too few to estimate its user&apos;s accuracy, and its area estimate would rest on them.</source>
        <translation>Cada classe recebe pelo menos este número de pontos e o restante da amostra é distribuído em proporção à área: do contrário, uma classe rara (muitas vezes a mudança de interesse) receberia só alguns pontos, poucos demais para estimar sua acurácia do usuário, e sua estimativa de área dependeria deles.</translation>
    </message>
    <message>
        <source>Random seed: the same map, options and seed give the same points.</source>
        <translation>Semente aleatória: o mesmo mapa, as mesmas opções e a mesma semente geram os mesmos pontos.</translation>
    </message>
    <message>
        <source>Replace the sample and its style if Claro made them and no point of it has been labelled yet.</source>
        <translation>Substitui a amostra e seu estilo se foram criados pelo Claro e nenhum de seus pontos foi rotulado ainda.</translation>
    </message>
    <message>
        <source>The class raster the sample was drawn from; its classes are the strata.</source>
        <translation>O raster de classes do qual a amostra foi sorteada; suas classes são os estratos.</translation>
    </message>
    <message>
        <source>Labelled sample</source>
        <translation>Amostra rotulada</translation>
    </message>
    <message>
        <source>Point layer (any vector file and CRS) with the reference class of each point, e.g. the GeoPackage from &apos;claro sample&apos; after labelling.</source>
        <translation>Camada de pontos (qualquer arquivo vetorial e SRC) com a classe de referência de cada ponto, p. ex. o GeoPackage de 'claro sample' depois de rotulado.</translation>
    </message>
    <message>
        <source>Reference field</source>
        <translation>Campo de referência</translation>
    </message>
    <message>
        <source>Field holding each point&apos;s reference class value; empty (NULL) means skipped.</source>
        <translation>Campo com o valor da classe de referência de cada ponto; vazio (NULL) significa pulado.</translation>
    </message>
    <message>
        <source>Report to write (.json); a CSV table and a PNG summary are written beside it.</source>
        <translation>Relatório a gravar (.json); uma tabela CSV e um resumo PNG são gravados ao lado.</translation>
    </message>
    <message>
        <source>The area of interest the sample was drawn within (as given to &apos;claro sample&apos;): class areas are counted inside it and points outside it are excluded.</source>
        <translation>A área de interesse dentro da qual a amostra foi sorteada (a mesma dada a 'claro sample'): as áreas das classes são contadas dentro dela e os pontos fora dela são excluídos.</translation>
    </message>
    <message>
        <source>Replace the report, its table and figure if Claro made them.</source>
        <translation>Substitui o relatório, sua tabela e sua figura se foram criados pelo Claro.</translation>
    </message>
    <message>
        <source>Draw a stratified random sample of points from a class map, to label for an accuracy assessment.</source>
        <translation>Sorteia uma amostra aleatória estratificada de pontos de um mapa de classes, para rotulá-la em uma avaliação da acurácia.</translation>
    </message>
    <message>
        <source>Accuracies and class areas with 95 % confidence intervals from a labelled sample (Olofsson et al. 2014).</source>
        <translation>Acurácias e áreas das classes com intervalos de confiança de 95 % a partir de uma amostra rotulada (Olofsson et al. 2014).</translation>
    </message>
    <message>
        <source>Before (class map)</source>
        <translation>Antes (mapa de classes)</translation>
    </message>
    <message>
        <source>Class raster of the earlier date; the output uses its grid and CRS.</source>
        <translation>Raster de classes da data anterior; a saída usa sua grade e seu SRC.</translation>
    </message>
    <message>
        <source>After (class map)</source>
        <translation>Depois (mapa de classes)</translation>
    </message>
    <message>
        <source>Class raster of the later date, with the same classes; aligned onto the before map&apos;s grid (nearest neighbour).</source>
        <translation>Raster de classes da data posterior, com as mesmas classes; alinhado à grade do mapa de antes (vizinho mais próximo).</translation>
    </message>
    <message>
        <source>Change raster</source>
        <translation>Raster de mudança</translation>
    </message>
    <message>
        <source>Output transition GeoTIFF (one code per from→to pair); its .qml style and the from→to area matrix (NAME_matrix.json and NAME_matrix.csv, in hectares and pixels) are written beside it.</source>
        <translation>GeoTIFF de transições de saída (um código por par origem→destino); ao lado dele são gravados seu estilo .qml e a matriz de áreas origem→destino (NOME_matrix.json e NOME_matrix.csv, em hectares e pixels).</translation>
    </message>
    <message>
        <source>From classes</source>
        <translation>Classes de origem</translation>
    </message>
    <message>
        <source>Keep only the changes from these classes (names or values, comma separated), e.g. forest; the other classified pixels get the code &apos;no change of interest&apos; (not nodata, so observed land is told from missing data).</source>
        <translation>Manter só as mudanças a partir destas classes (nomes ou valores, separados por vírgulas), p. ex. floresta; os demais pixels classificados recebem o código 'sem mudança de interesse' (não nodata, para distinguir o terreno observado dos dados ausentes).</translation>
    </message>
    <message>
        <source>To classes</source>
        <translation>Classes de destino</translation>
    </message>
    <message>
        <source>Keep only the changes to these classes (names or values, comma separated), e.g. cleared; a class given in both --from and --to also keeps its unchanged pixels (stable forest).</source>
        <translation>Manter só as mudanças para estas classes (nomes ou valores, separados por vírgulas), p. ex. desmatado; uma classe dada em --from e em --to mantém também seus pixels sem mudança (floresta estável).</translation>
    </message>
    <message>
        <source>Change polygons</source>
        <translation>Polígonos de mudança</translation>
    </message>
    <message>
        <source>Also write the change regions as polygons (GeoPackage) with from, to, true area in hectares and the two dates.</source>
        <translation>Gravar também as regiões de mudança como polígonos (GeoPackage) com classe de origem, classe de destino, área real em hectares e as duas datas.</translation>
    </message>
    <message>
        <source>Before date</source>
        <translation>Data de antes</translation>
    </message>
    <message>
        <source>Date of the before map (YYYY-MM-DD); default: the date its file carries (ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).</source>
        <translation>Data do mapa de antes (AAAA-MM-DD); padrão: a data que seu arquivo traz (metadados ACQUISITIONDATETIME ou TIFFTAG_DATETIME).</translation>
    </message>
    <message>
        <source>After date</source>
        <translation>Data de depois</translation>
    </message>
    <message>
        <source>Date of the after map (YYYY-MM-DD); default: the date its file carries (ACQUISITIONDATETIME or TIFFTAG_DATETIME metadata).</source>
        <translation>Data do mapa de depois (AAAA-MM-DD); padrão: a data que seu arquivo traz (metadados ACQUISITIONDATETIME ou TIFFTAG_DATETIME).</translation>
    </message>
    <message>
        <source>Replace the change raster, its style, matrix files and polygons if they exist and Claro made them.</source>
        <translation>Substituir o raster de mudança, seu estilo, os arquivos da matriz e os polígonos se existirem e o Claro os criou.</translation>
    </message>
    <message>
        <source>Compare two class maps of the same classes: transition raster and from→to hectares.</source>
        <translation>Comparar dois mapas com as mesmas classes: raster de transições e hectares de origem→destino.</translation>
    </message>
    <message>
        <source>Patch dataset folder made by &apos;claro patches&apos; or &apos;claro describe&apos;, or a folder of Earth Engine TFRecord shards (described first when it has no dataset.json).</source>
        <translation>Pasta de um conjunto de patches feito por 'claro patches' ou 'claro describe', ou uma pasta de fragmentos TFRecord do Earth Engine (descrita primeiro quando não tem dataset.json).</translation>
    </message>
    <message>
        <source>Label feature</source>
        <translation>Atributo de rótulo</translation>
    </message>
    <message>
        <source>For a folder of Earth Engine shards without dataset.json: the feature holding the class (default: class, label or landcover, whichever the records have).</source>
        <translation>Para uma pasta de fragmentos do Earth Engine sem dataset.json: o atributo que contém a classe (padrão: class, label ou landcover, o que os registros tiverem).</translation>
    </message>
    <message>
        <source>Training workers</source>
        <translation>Workers de treino</translation>
    </message>
    <message>
        <source>Train on several machines: every worker&apos;s host:port, comma separated, the same list on each (default: the TF_CONFIG environment variable, else this machine alone).</source>
        <translation>Treinar em várias máquinas: o host:porta de cada worker, separados por vírgulas, a mesma lista em cada uma (padrão: a variável de ambiente TF_CONFIG; senão, só esta máquina).</translation>
    </message>
    <message>
        <source>Worker index</source>
        <translation>Índice do worker</translation>
    </message>
    <message>
        <source>This machine&apos;s position in --workers, from 0; worker 0 is the chief, the only one that writes the model, its card, history and plots.</source>
        <translation>Posição desta máquina em --workers, a partir de 0; o worker 0 é o chefe, o único que escreve o modelo, sua ficha, o histórico e os gráficos.</translation>
    </message>
    <message>
        <source>Band names</source>
        <translation>Nomes das bandas</translation>
    </message>
    <message>
        <source>For an Earth Engine image export (--image EXPORT.json): the features to feed the model, by name, comma separated (default: the model&apos;s band names).</source>
        <translation>Para uma exportação de imagem do Earth Engine (--image EXPORT.json): os atributos que o modelo recebe, por nome, separados por vírgulas (padrão: os nomes das bandas do modelo).</translation>
    </message>
    <message>
        <source>Output format</source>
        <translation>Formato de saída</translation>
    </message>
    <message>
        <source>Dask scheduler</source>
        <translation>Agendador Dask</translation>
    </message>
    <message>
        <source>Predict on a Dask cluster: the scheduler&apos;s address (tcp://host:8786), or local:N for N worker processes on this machine; the output folder must be reachable by every worker.</source>
        <translation>Predizer em um cluster Dask: o endereço do agendador (tcp://host:8786), ou local:N para N processos workers nesta máquina; todos os workers precisam alcançar a pasta de saída.</translation>
    </message>
    <message>
        <source>Merge blocks</source>
        <translation>Juntar blocos</translation>
    </message>
    <message>
        <source>With --dask, merge the workers&apos; blocks into one GeoTIFF (--no-merge keeps the blocks and a VRT over them at the output path&apos;s name with .vrt).</source>
        <translation>Com --dask, juntar os blocos dos workers em um único GeoTIFF (--no-merge mantém os blocos e um VRT sobre eles com o nome da saída e .vrt).</translation>
    </message>
    <message>
        <source>TFRecord folder</source>
        <translation>Pasta de TFRecords</translation>
    </message>
    <message>
        <source>Folder of TFRecord files (.tfrecord, .tfrecord.gz, .gz; GZIP or not), e.g. an Earth Engine table export of patches.</source>
        <translation>Pasta de arquivos TFRecord (.tfrecord, .tfrecord.gz, .gz; com GZIP ou não), p. ex. uma exportação de tabela de patches do Earth Engine.</translation>
    </message>
    <message>
        <source>Feature holding the class of each pixel (default: class, label or landcover, whichever the records have).</source>
        <translation>Atributo que contém a classe de cada pixel (padrão: class, label ou landcover, o que os registros tiverem).</translation>
    </message>
    <message>
        <source>Class names and colours, e.g. &apos;0:forest:#1a9641,1:cleared:#d7191c&apos; (default: from the label values found).</source>
        <translation>Nomes e cores das classes, p. ex. '0:forest:#1a9641,1:cleared:#d7191c' (padrão: a partir dos valores de rótulo encontrados).</translation>
    </message>
    <message>
        <source>How to tell training from validation and test data: names (train*/training*, val*/validation*/eval*, test*/testing* files), shards (whole files dealt out by --fractions) or records (each record by a seeded draw); auto uses names when they say, else shards when there are enough files, else records.</source>
        <translation>Como separar os dados de treino, validação e teste: names (arquivos train*/training*, val*/validation*/eval*, test*/testing*), shards (arquivos inteiros distribuídos conforme --fractions) ou records (cada registro por um sorteio com semente); auto usa os nomes quando eles indicam, senão shards quando há arquivos suficientes, senão records.</translation>
    </message>
    <message>
        <source>Fractions</source>
        <translation>Frações</translation>
    </message>
    <message>
        <source>Fractions for train, validation and test, comma separated, when the split is by shards or records.</source>
        <translation>Frações para treino, validação e teste, separadas por vírgulas, quando a divisão é por shards ou records.</translation>
    </message>
    <message>
        <source>Random seed for a split by shards or records.</source>
        <translation>Semente aleatória de uma divisão por shards ou records.</translation>
    </message>
    <message>
        <source>Image feature</source>
        <translation>Atributo de imagem</translation>
    </message>
    <message>
        <source>For records holding each sample as encoded images: the bytes feature with the image (PNG, JPEG or raw float32); needs --mask-feature and --out.</source>
        <translation>Para registros que guardam cada amostra como imagens codificadas: o atributo de bytes com a imagem (PNG, JPEG ou float32 bruto); requer --mask-feature e --out.</translation>
    </message>
    <message>
        <source>Mask feature</source>
        <translation>Atributo de máscara</translation>
    </message>
    <message>
        <source>For records holding encoded images: the bytes feature with the mask (class values, or a one-hot / probability mask whose argmax is the class).</source>
        <translation>Para registros com imagens codificadas: o atributo de bytes com a máscara (valores de classe, ou uma máscara one-hot / de probabilidades cujo argmax é a classe).</translation>
    </message>
    <message>
        <source>Where to write dataset.json (default: beside the shards); for encoded images, the folder of the Claro patch dataset to write.</source>
        <translation>Onde escrever o dataset.json (padrão: ao lado dos fragmentos); para imagens codificadas, a pasta do conjunto de patches do Claro a escrever.</translation>
    </message>
    <message>
        <source>Replace a dataset.json (or an output dataset) Claro made.</source>
        <translation>Substituir um dataset.json (ou um conjunto de saída) que o Claro fez.</translation>
    </message>
    <message>
        <source>Exported model</source>
        <translation>Modelo exportado</translation>
    </message>
    <message>
        <source>File to write, e.g. model.onnx.</source>
        <translation>Arquivo a escrever, p. ex. model.onnx.</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Formato</translation>
    </message>
    <message>
        <source>onnx: an ONNX model with the metadata the QGIS plugin Deepness reads (classes, tile size, resolution, standardisation).</source>
        <translation>onnx: um modelo ONNX com os metadados que o complemento Deepness do QGIS lê (classes, tamanho do bloco, resolução, padronização).</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Tamanho do bloco</translation>
    </message>
    <message>
        <source>Width and height of the tiles the exported model takes (default: the window &apos;claro predict&apos; would use); a multiple of the U-Net&apos;s down-sampling factor.</source>
        <translation>Largura e altura dos blocos que o modelo exportado recebe (padrão: a janela que 'claro predict' usaria); um múltiplo do fator de subamostragem da U-Net.</translation>
    </message>
    <message>
        <source>Replace the exported file if it exists.</source>
        <translation>Substituir o arquivo exportado se ele existir.</translation>
    </message>
    <message>
        <source>Describe a folder of TFRecords from another tool (Earth Engine) and write its dataset.json, so Claro trains on it.</source>
        <translation>Descrever uma pasta de TFRecords de outra ferramenta (Earth Engine) e escrever o dataset.json, para que o Claro treine com ela.</translation>
    </message>
    <message>
        <source>Export a trained model for another runtime: ONNX with the metadata Deepness reads.</source>
        <translation>Exportar um modelo treinado para outro ambiente de execução: ONNX com os metadados que o Deepness lê.</translation>
    </message>
    <message>
        <source>Label value meaning &apos;not labelled&apos; (default: none for band records, 255 for encoded-image masks; values not listed in --classes are ignored too).</source>
        <translation>Valor de rótulo que significa «não rotulado» (padrão: nenhum para registros de bandas, 255 para máscaras de imagens codificadas; valores não listados em --classes também são ignorados).</translation>
    </message>
    <message>
        <source>Raster to classify; must have the bands the model was trained on. Or the JSON mixer of an Earth Engine image export (TFRecord), its .tfrecord.gz files beside it.</source>
        <translation>Raster a classificar; deve ter as bandas com que o modelo foi treinado. Ou o JSON «mixer» de uma exportação de imagem do Earth Engine (TFRecord), com seus arquivos .tfrecord.gz ao lado.</translation>
    </message>
    <message>
        <source>geotiff: a class GeoTIFF; tfrecord (Earth Engine image exports only): the classes as TFRecord patches beside a copy of the export&apos;s JSON, ready for &apos;earthengine upload image&apos;: --out names OUT.tfrecord.gz (or OUT.tfrecord) and the copy is OUT.json.</source>
        <translation>geotiff: um GeoTIFF de classes; tfrecord (somente exportações de imagem do Earth Engine): as classes como patches TFRecord ao lado de uma cópia do JSON da exportação, prontas para 'earthengine upload image': --out nomeia OUT.tfrecord.gz (ou OUT.tfrecord) e a cópia é OUT.json.</translation>
    </message>
    <message>
        <source>Dask block (windows)</source>
        <translation>Bloco do Dask (janelas)</translation>
    </message>
    <message>
        <source>With --dask, the windows per side of one task&apos;s block: a block recomputes one window per side of its neighbours&apos; (the blend needs it), so larger blocks waste less (1/N per side) and smaller ones spread over more workers.</source>
        <translation>Com --dask, as janelas por lado do bloco de uma tarefa: um bloco recalcula uma janela por lado das de seus vizinhos (a mistura precisa disso), então blocos maiores desperdiçam menos (1/N por lado) e menores se distribuem por mais workers.</translation>
    </message>
    <message>
        <source>Features to use as bands, by name, comma separated, in this order (default: every float or int64 feature of k×k values except the label, in natural order: B2, B3, …, B11).</source>
        <translation>Atributos usados como bandas, por nome, separados por vírgulas, nesta ordem (padrão: todos os atributos reais ou inteiros int64 de k×k valores exceto o rótulo, em ordem natural: B2, B3, …, B11).</translation>
    </message>
</context>
</TS>
